#include "checker/json.h"

#include <absl/strings/escaping.h>
#include <fmt/format.h>
#include <rapidjson/encodings.h>
#include <rapidjson/memorystream.h>

#include "core/base/check.h"

namespace raftlab::checker::json {
namespace {

// rapidjson's output-stream concept, for validating without copying.
struct Discard {
  void Put(char) {}
};

// The length of the valid UTF-8 sequence starting at `at`, or 0.
size_t Utf8SequenceAt(std::string_view s, size_t at) {
  rapidjson::MemoryStream in(s.data() + at, s.size() - at);  // '\0' past the end
  Discard out;
  if (!rapidjson::UTF8<>::Validate(in, out)) return 0;
  return in.Tell();
}

// What the parser wanted where it stopped, in the words of the old reader.
const char* Expected(rapidjson::ParseErrorCode code) {
  switch (code) {
    case rapidjson::kParseErrorDocumentEmpty: return "a JSON value";
    case rapidjson::kParseErrorDocumentRootNotSingular: return "end of input after the value";
    case rapidjson::kParseErrorValueInvalid: return "a JSON value";
    case rapidjson::kParseErrorObjectMissName: return "a member name string";
    case rapidjson::kParseErrorObjectMissColon: return "':'";
    case rapidjson::kParseErrorObjectMissCommaOrCurlyBracket: return "',' or '}'";
    case rapidjson::kParseErrorArrayMissCommaOrSquareBracket: return "',' or ']'";
    case rapidjson::kParseErrorStringUnicodeEscapeInvalidHex: return "4 hex digits";
    case rapidjson::kParseErrorStringUnicodeSurrogateInvalid:
      return "a valid surrogate pair \\uD800-\\uDBFF \\uDC00-\\uDFFF";
    case rapidjson::kParseErrorStringEscapeInvalid:
      return "one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u";
    case rapidjson::kParseErrorStringMissQuotationMark: return "'\"' closing the string";
    case rapidjson::kParseErrorStringInvalidEncoding: return "valid UTF-8";
    case rapidjson::kParseErrorNumberTooBig: return "a number that fits in 64 bits";
    case rapidjson::kParseErrorNumberMissFraction:
    case rapidjson::kParseErrorNumberMissExponent: return "an integer";
    default: return "valid JSON";
  }
}

}  // namespace

void Out::Key(std::string_view name) {
  const bool ok = w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  CHECK_MSG(ok, "a JSON member name must be valid UTF-8");
}

void Out::Bytes(std::string_view bytes) {
  if (IsUtf8(bytes)) {
    const bool ok = w.String(bytes.data(), static_cast<rapidjson::SizeType>(bytes.size()));
    CHECK(ok);
    return;
  }
  const std::string encoded = absl::Base64Escape(absl::string_view(bytes.data(), bytes.size()));
  w.StartObject();
  w.Key("base64");
  w.String(encoded.data(), static_cast<rapidjson::SizeType>(encoded.size()));
  w.EndObject();
}

void Out::Text(std::string_view text) {
  if (IsUtf8(text)) {
    const bool ok = w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    CHECK(ok);
    return;
  }
  const std::string valid = ToValidUtf8(text);
  const bool ok = w.String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
  CHECK(ok);
}

void Out::Fixed(double v, int decimals) {
  const std::string text = fmt::format("{:.{}f}", v, decimals);
  w.RawValue(text.data(), text.size(), rapidjson::kNumberType);
}

void Out::UintOrNull(std::string_view key, const std::optional<uint64_t>& v) {
  Key(key);
  if (v) {
    Uint(*v);
  } else {
    Null();
  }
}

bool IsUtf8(std::string_view bytes) {
  size_t at = 0;
  while (at < bytes.size()) {
    // ASCII, the common case, needs no decoder.
    if (static_cast<unsigned char>(bytes[at]) < 0x80) {
      ++at;
      continue;
    }
    const size_t n = Utf8SequenceAt(bytes, at);
    if (n == 0) return false;
    at += n;
  }
  return true;
}

std::string ToValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t at = 0;
  while (at < text.size()) {
    const size_t n = static_cast<unsigned char>(text[at]) < 0x80 ? 1 : Utf8SequenceAt(text, at);
    if (n == 0) {
      out += fmt::format("\\x{:02X}", static_cast<unsigned char>(text[at]));
      ++at;
      continue;
    }
    out.append(text.substr(at, n));
    at += n;
  }
  return out;
}

Status Parse(std::string_view text, rapidjson::Document* doc) {
  // Iterative: hostile nesting cannot exhaust the stack. Without
  // kParseStopWhenDoneFlag, anything but white space after the value is an
  // error (kParseErrorDocumentRootNotSingular).
  constexpr unsigned kFlags = rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag;
  doc->Parse<kFlags>(text.data(), text.size());
  if (!doc->HasParseError()) return OkStatus();
  const size_t offset = doc->GetErrorOffset();
  const std::string found =
      offset < text.size() ? fmt::format("'{}'", ToValidUtf8(text.substr(offset, 1)))
                           : std::string("end of input");
  return MakeError(ErrorCode::kInvalidArgument,
                   fmt::format("column {}: expected {}, found {}", offset + 1,
                               Expected(doc->GetParseError()), found));
}

std::optional<std::string> BytesOf(const rapidjson::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (!v.IsObject() || v.MemberCount() != 1) return std::nullopt;
  const auto& member = *v.MemberBegin();
  if (std::string_view(member.name.GetString(), member.name.GetStringLength()) != "base64" ||
      !member.value.IsString()) {
    return std::nullopt;
  }
  const absl::string_view encoded(member.value.GetString(), member.value.GetStringLength());
  std::string decoded;
  if (!absl::Base64Unescape(encoded, &decoded)) return std::nullopt;
  // Only the canonical form (padded, no white space) is what a writer writes.
  if (absl::Base64Escape(decoded) != encoded) return std::nullopt;
  return decoded;
}

std::string Describe(const rapidjson::Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  if (v.IsNumber()) return "a number that is no 64-bit integer";
  if (v.IsString()) {
    std::string_view s(v.GetString(), v.GetStringLength());
    const bool cut = s.size() > 40;
    return "\"" + ToValidUtf8(s.substr(0, 40)) + (cut ? "...\"" : "\"");
  }
  if (v.IsArray()) return "an array";
  return "an object";
}

}  // namespace raftlab::checker::json
