#include "checker/json.h"

#include <charconv>

#include <fmt/format.h>

#include "core/base/check.h"

namespace raftlab::checker::json {

const Json* Json::Find(std::string_view name) const {
  CHECK(kind == Kind::kObject);
  for (const auto& [key, value] : members) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string Json::Describe() const {
  switch (kind) {
    case Kind::kNull: return "null";
    case Kind::kBool: return boolean ? "true" : "false";
    case Kind::kInt: return std::to_string(integer);
    case Kind::kString: return "\"" + text + "\"";
    case Kind::kArray: return "an array";
    case Kind::kObject: return "an object";
  }
  UNREACHABLE();
}

namespace {

constexpr int kDepthMax = 32;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<Json> ParseAll() {
    auto value = ParseValue(0);
    if (!value) return value;
    SkipSpace();
    if (pos_ < text_.size()) return Fail("end of input");
    return value;
  }

 private:
  tl::unexpected<Error> Fail(std::string_view expected) const {
    std::string found = pos_ < text_.size() ? fmt::format("'{}'", text_[pos_]) : "end of input";
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("column {}: expected {}, found {}", pos_ + 1, expected, found));
  }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\n')) {
      ++pos_;
    }
  }

  bool Consume(std::string_view literal) {
    if (text_.substr(pos_, literal.size()) != literal) return false;
    pos_ += literal.size();
    return true;
  }

  Result<Json> ParseValue(int depth) {
    SkipSpace();
    if (depth > kDepthMax) return Fail("less nesting");
    if (pos_ >= text_.size()) return Fail("a value");
    Json value;
    const char c = text_[pos_];
    if (c == '{') return ParseObject(depth);
    if (c == '[') return ParseArray(depth);
    if (c == '"') {
      value.kind = Json::Kind::kString;
      auto s = ParseString();
      if (!s) return tl::unexpected(s.error());
      value.text = std::move(*s);
      return value;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return ParseInteger();
    if (Consume("null")) return value;
    value.kind = Json::Kind::kBool;
    if (Consume("true")) {
      value.boolean = true;
      return value;
    }
    if (Consume("false")) return value;
    return Fail("a JSON value");
  }

  Result<Json> ParseInteger() {
    const size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    const bool fraction = pos_ < text_.size() &&
                          (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E');
    if (fraction) return Fail("an integer (no fractions or exponents)");
    Json value;
    value.kind = Json::Kind::kInt;
    const char* end = text_.data() + pos_;
    auto [ptr, ec] = std::from_chars(text_.data() + start, end, value.integer);
    if (ec != std::errc() || ptr != end) {
      pos_ = start;
      return Fail("an integer that fits in 64 bits");
    }
    return value;
  }

  Result<uint32_t> ParseHex4() {
    if (pos_ + 4 > text_.size()) return Fail("4 hex digits");
    uint32_t code = 0;
    auto [ptr, ec] = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, code, 16);
    if (ec != std::errc() || ptr != text_.data() + pos_ + 4) return Fail("4 hex digits");
    pos_ += 4;
    return code;
  }

  static void AppendUtf8(uint32_t code, std::string* out) {
    if (code < 0x80) {
      out->push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (code >> 6)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (code >> 12)));
      out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (code >> 18)));
      out->push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  Result<void> ParseEscape(std::string* out) {
    if (pos_ >= text_.size()) return Fail("an escape character");
    const char e = text_[pos_++];
    switch (e) {
      case '"': case '\\': case '/': out->push_back(e); return {};
      case 'b': out->push_back('\b'); return {};
      case 'f': out->push_back('\f'); return {};
      case 'n': out->push_back('\n'); return {};
      case 'r': out->push_back('\r'); return {};
      case 't': out->push_back('\t'); return {};
      case 'u': break;
      default: --pos_; return Fail("one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u");
    }
    auto code = ParseHex4();
    if (!code) return tl::unexpected(code.error());
    uint32_t point = *code;
    if (point >= 0xD800 && point < 0xDC00) {
      if (!Consume("\\u")) return Fail("a low surrogate \\uDC00-\\uDFFF");
      auto low = ParseHex4();
      if (!low) return tl::unexpected(low.error());
      if (*low < 0xDC00 || *low >= 0xE000) return Fail("a low surrogate \\uDC00-\\uDFFF");
      point = 0x10000 + ((point - 0xD800) << 10) + (*low - 0xDC00);
    }
    AppendUtf8(point, out);
    return {};
  }

  Result<std::string> ParseString() {
    CHECK_EQ(text_[pos_], '"');
    ++pos_;
    std::string out;
    for (;;) {
      if (pos_ >= text_.size()) return Fail("'\"' closing the string");
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) {
        --pos_;
        return Fail("an escaped control character");
      }
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      auto escaped = ParseEscape(&out);
      if (!escaped) return tl::unexpected(escaped.error());
    }
  }

  Result<Json> ParseArray(int depth) {
    Json value;
    value.kind = Json::Kind::kArray;
    ++pos_;
    SkipSpace();
    if (Consume("]")) return value;
    for (;;) {
      auto item = ParseValue(depth + 1);
      if (!item) return item;
      value.items.push_back(std::move(*item));
      SkipSpace();
      if (Consume("]")) return value;
      if (!Consume(",")) return Fail("',' or ']'");
    }
  }

  Result<Json> ParseObject(int depth) {
    Json value;
    value.kind = Json::Kind::kObject;
    ++pos_;
    SkipSpace();
    if (Consume("}")) return value;
    for (;;) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') return Fail("a member name string");
      auto name = ParseString();
      if (!name) return tl::unexpected(name.error());
      SkipSpace();
      if (!Consume(":")) return Fail("':'");
      auto member = ParseValue(depth + 1);
      if (!member) return member;
      value.members.push_back(Member{std::move(*name), std::move(*member)});
      SkipSpace();
      if (Consume("}")) return value;
      if (!Consume(",")) return Fail("',' or '}'");
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Result<Json> Parse(std::string_view line) { return Parser(line).ParseAll(); }

}  // namespace raftlab::checker::json
