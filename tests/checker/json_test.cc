// checker/json: keys and values are bytes and travel losslessly (a string
// when valid UTF-8, else {"base64": ...}); every line any writer produces is
// strict UTF-8 JSON; readers take exactly what writers write. UTF-8 is
// judged by a deliberately dumb reference decoder written from RFC 3629's
// grammar, not by the code under test.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "checker/json.h"
#include "checker/jsonl_reader.h"
#include "sim/history.h"
#include "sweep/seed_runner.h"

namespace raftlab::checker {
namespace {

// RFC 3629, section 4 (UTF8-octets), one branch per line of the grammar.
bool ReferenceIsUtf8(const std::string& s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned>(static_cast<unsigned char>(s[i])); };
  const auto tail = [&](size_t i) { return i < s.size() && byte(i) >= 0x80 && byte(i) <= 0xBF; };
  const auto in = [&](size_t i, unsigned lo, unsigned hi) {
    return i < s.size() && byte(i) >= lo && byte(i) <= hi;
  };
  size_t i = 0;
  while (i < s.size()) {
    const unsigned b = byte(i);
    if (b <= 0x7F) {
      i += 1;
    } else if (b >= 0xC2 && b <= 0xDF && tail(i + 1)) {
      i += 2;
    } else if (b == 0xE0 && in(i + 1, 0xA0, 0xBF) && tail(i + 2)) {
      i += 3;
    } else if (((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) && tail(i + 1) &&
               tail(i + 2)) {
      i += 3;
    } else if (b == 0xED && in(i + 1, 0x80, 0x9F) && tail(i + 2)) {
      i += 3;
    } else if (b == 0xF0 && in(i + 1, 0x90, 0xBF) && tail(i + 2) && tail(i + 3)) {
      i += 4;
    } else if (b >= 0xF1 && b <= 0xF3 && tail(i + 1) && tail(i + 2) && tail(i + 3)) {
      i += 4;
    } else if (b == 0xF4 && in(i + 1, 0x80, 0x8F) && tail(i + 2) && tail(i + 3)) {
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

// Byte strings that are often, but not always, UTF-8: ASCII, random bytes,
// and encodings of random code points (surrogates and all).
rc::Gen<std::string> Bytes() {
  const auto piece = rc::gen::oneOf(
      rc::gen::map(rc::gen::inRange<int>(0, 0x80), [](int c) { return std::string(1, char(c)); }),
      rc::gen::map(rc::gen::inRange<int>(0, 0x100), [](int c) { return std::string(1, char(c)); }),
      rc::gen::map(rc::gen::inRange<uint32_t>(0x80, 0x110000), [](uint32_t cp) {
        std::string out;
        if (cp < 0x800) {
          out += char(0xC0 | (cp >> 6));
        } else if (cp < 0x10000) {
          out += char(0xE0 | (cp >> 12));
          out += char(0x80 | ((cp >> 6) & 0x3F));
        } else {
          out += char(0xF0 | (cp >> 18));
          out += char(0x80 | ((cp >> 12) & 0x3F));
          out += char(0x80 | ((cp >> 6) & 0x3F));
        }
        out += char(0x80 | (cp & 0x3F));
        return out;
      }));
  return rc::gen::map(rc::gen::container<std::vector<std::string>>(piece),
                      [](const std::vector<std::string>& pieces) {
                        std::string s;
                        for (const std::string& p : pieces) s += p;
                        return s;
                      });
}

// A line passes a strict UTF-8 JSON parser: valid UTF-8 by the reference,
// and one JSON value by rapidjson with encoding validation.
void ExpectStrictJson(const std::string& line) {
  RC_ASSERT(ReferenceIsUtf8(line));
  rapidjson::Document doc;
  RC_ASSERT(json::Parse(line, &doc).has_value());
}

RC_GTEST_PROP(Json, IsUtf8AgreesWithTheReferenceDecoder, ()) {
  const std::string s = *Bytes();
  RC_ASSERT(json::IsUtf8(s) == ReferenceIsUtf8(s));
  RC_ASSERT(ReferenceIsUtf8(json::ToValidUtf8(s)));
}

RC_GTEST_PROP(Json, AnyBytesComeBackEqual, ()) {
  const std::string s = *Bytes();
  json::Out out;
  out.Bytes(s);
  const std::string line = out.str();
  ExpectStrictJson(line);
  rapidjson::Document doc;
  RC_ASSERT(json::Parse(line, &doc).has_value());
  const std::optional<std::string> back = json::BytesOf(doc);
  RC_ASSERT(back.has_value());
  RC_ASSERT(*back == s);
  // Text that is already UTF-8 is written as it is.
  if (ReferenceIsUtf8(s)) RC_ASSERT(doc.IsString());
}

RC_GTEST_PROP(Json, HistoryLinesComeBackEqualThroughTheReader, ()) {
  const auto n = *rc::gen::inRange<size_t>(1, 8);
  std::vector<sim::HistoryOp> ops;
  for (size_t i = 0; i < n; ++i) {
    sim::HistoryOp op;
    op.client = i;
    op.op_id = i;
    op.invoke_ns = 10 * i;
    op.return_ns = 10 * i + 5;
    op.status = "ok";
    op.key = *Bytes();
    op.revision = static_cast<int64_t>(i + 1);
    switch (*rc::gen::inRange(0, 3)) {
      case 0:
        op.f = "put";
        op.value = *Bytes();
        break;
      case 1:
        op.f = "get";
        op.result_present = true;
        if (*rc::gen::arbitrary<bool>()) op.result = *Bytes();
        break;
      default:
        op.f = "txn";
        op.compare_value = *Bytes();
        op.value = *Bytes();
        op.succeeded = true;
    }
    ops.push_back(op);
  }
  const std::string text = sim::ToJsonLines(ops);
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    ExpectStrictJson(text.substr(start, end - start));
    start = end + 1;
  }
  Result<History> read = ReadJsonl(text, "h.jsonl");
  RC_ASSERT(read.has_value());
  RC_ASSERT(read->ops.size() == ops.size());
  for (size_t i = 0; i < n; ++i) {
    const Operation& got = read->ops[i];
    RC_ASSERT(got.key == ops[i].key);
    if (ops[i].f == "put") RC_ASSERT(got.input == std::vector<Value>{Value::String(*ops[i].value)});
    if (ops[i].f == "txn") {
      RC_ASSERT(got.input == (std::vector<Value>{Value::String(*ops[i].compare_value),
                                                 Value::String(*ops[i].value)}));
    }
    if (ops[i].f == "get") {
      const Value want = ops[i].result ? Value::String(*ops[i].result) : Value::Nil();
      RC_ASSERT(got.output == std::vector<Value>{want});
    }
  }
}

RC_GTEST_PROP(Json, ResultsLinesAreStrictJsonWhateverTheViolationSays, ()) {
  sweep::SeedOutcome o;
  o.seed = 1;
  o.verdict = sweep::Verdict::kFail;
  o.violations = {*Bytes(), *Bytes()};
  ExpectStrictJson(sweep::OutcomeJson(*Bytes(), o));
}

TEST(Json, TextThatIsNotUtf8ShowsItsBytes) {
  EXPECT_EQ(json::ToValidUtf8("a\xff" "b\xc3"), "a\\xFFb\\xC3");
  EXPECT_EQ(json::ToValidUtf8("\xc3\xa9t\xc3\xa9"), "\xc3\xa9t\xc3\xa9");
}

TEST(Json, NonCanonicalBase64IsNoBytes) {
  rapidjson::Document doc;
  ASSERT_TRUE(json::Parse(R"({"base64":"/w"})", &doc).has_value());  // padding missing
  EXPECT_FALSE(json::BytesOf(doc).has_value());
  ASSERT_TRUE(json::Parse(R"({"base64":"/w==","x":1})", &doc).has_value());
  EXPECT_FALSE(json::BytesOf(doc).has_value());
  ASSERT_TRUE(json::Parse(R"({"base64":"/w=="})", &doc).has_value());
  EXPECT_EQ(json::BytesOf(doc), std::optional<std::string>("\xff"));
}

TEST(Json, ParseErrorsNameTheColumnAndWhatWasExpected) {
  rapidjson::Document doc;
  const Status s = json::Parse("{\"a\":1,}", &doc);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().message, "column 8: expected a member name string, found '}'");
  const Status t = json::Parse("[1] 2", &doc);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().message.rfind("column 5: expected end of input after the value", 0), 0u);
}

}  // namespace
}  // namespace raftlab::checker
