#include "checker/edn.h"

#include <charconv>

#include <fmt/format.h>

#include "core/base/check.h"

namespace raftlab::checker::edn {

const Node* Node::Find(std::string_view name) const {
  CHECK(kind == Kind::kMap);
  for (const auto& [key, value] : entries) {
    if (key.IsKeyword(name)) return &value;
  }
  return nullptr;
}

std::string Node::Describe() const {
  switch (kind) {
    case Kind::kNil: return "nil";
    case Kind::kBool: return boolean ? "true" : "false";
    case Kind::kInt: return std::to_string(integer);
    case Kind::kString: return "\"" + text + "\"";
    case Kind::kKeyword: return ":" + text;
    case Kind::kSymbol: return text;
    case Kind::kVector: return fmt::format("a vector of {}", items.size());
    case Kind::kMap: return "a map";
  }
  UNREACHABLE();
}

namespace {

constexpr int kDepthMax = 16;  // history lines nest two or three levels

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<Node> ParseAll() {
    auto node = ParseValue(0);
    if (!node) return node;
    SkipSpace();
    if (pos_ < text_.size()) return Fail("end of line");
    return node;
  }

 private:
  tl::unexpected<Error> Fail(std::string_view expected) const {
    std::string found = pos_ < text_.size() ? fmt::format("'{}'", text_[pos_]) : "end of line";
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("column {}: expected {}, found {}", pos_ + 1, expected, found));
  }

  void SkipSpace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != ',' && c != '\t' && c != '\r' && c != '\n') break;
      ++pos_;
    }
  }

  static bool IsTokenChar(char c) {
    return c != ' ' && c != ',' && c != '\t' && c != '\r' && c != '\n' && c != '{' && c != '}' &&
           c != '[' && c != ']' && c != '(' && c != ')' && c != '"';
  }

  Result<Node> ParseValue(int depth) {
    SkipSpace();
    if (depth > kDepthMax) return Fail("less nesting");
    if (pos_ >= text_.size()) return Fail("a value");
    const char c = text_[pos_];
    if (c == '{') return ParseMap(depth);
    if (c == '[' || c == '(') return ParseSequence(depth, c == '[' ? ']' : ')');
    if (c == '"') return ParseString();
    return ParseToken();
  }

  Result<Node> ParseMap(int depth) {
    Node node;
    node.kind = Node::Kind::kMap;
    node.entries.reserve(8);  // history maps have 5-7 entries
    ++pos_;
    for (;;) {
      SkipSpace();
      if (pos_ >= text_.size()) return Fail("'}' or a map key");
      if (text_[pos_] == '}') break;
      auto key = ParseValue(depth + 1);
      if (!key) return key;
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == '}') return Fail("a value for the map key");
      auto value = ParseValue(depth + 1);
      if (!value) return value;
      node.entries.push_back(MapEntry{std::move(*key), std::move(*value)});
    }
    ++pos_;
    return node;
  }

  Result<Node> ParseSequence(int depth, char close) {
    Node node;
    node.kind = Node::Kind::kVector;
    ++pos_;
    for (;;) {
      SkipSpace();
      if (pos_ >= text_.size()) return Fail(fmt::format("'{}' or a value", close));
      if (text_[pos_] == close) break;
      auto item = ParseValue(depth + 1);
      if (!item) return item;
      node.items.push_back(std::move(*item));
    }
    ++pos_;
    return node;
  }

  Result<Node> ParseString() {
    Node node;
    node.kind = Node::Kind::kString;
    ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c == '\\') {
        if (pos_ >= text_.size()) return Fail("an escaped character");
        const char e = text_[pos_++];
        c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
      }
      node.text.push_back(c);
    }
    if (pos_ >= text_.size()) return Fail("'\"' closing the string");
    ++pos_;
    return node;
  }

  Result<Node> ParseToken() {
    const size_t start = pos_;
    while (pos_ < text_.size() && IsTokenChar(text_[pos_])) ++pos_;
    const std::string_view token = text_.substr(start, pos_ - start);
    if (token.empty()) return Fail("a value");
    Node node;
    if (token[0] == ':') {
      if (token.size() == 1) {
        pos_ = start;
        return Fail("a keyword name after ':'");
      }
      node.kind = Node::Kind::kKeyword;
      node.text = std::string(token.substr(1));
      return node;
    }
    const bool numeric = (token[0] >= '0' && token[0] <= '9') ||
                         (token.size() > 1 && token[0] == '-' && token[1] >= '0' &&
                          token[1] <= '9');
    if (numeric) return ParseInteger(start, token);
    if (token == "nil") return node;
    if (token == "true" || token == "false") {
      node.kind = Node::Kind::kBool;
      node.boolean = token == "true";
      return node;
    }
    node.kind = Node::Kind::kSymbol;
    node.text = std::string(token);
    return node;
  }

  Result<Node> ParseInteger(size_t start, std::string_view token) {
    Node node;
    node.kind = Node::Kind::kInt;
    const char* end = token.data() + token.size();
    auto [ptr, ec] = std::from_chars(token.data(), end, node.integer);
    if (ec != std::errc() || ptr != end) {
      pos_ = start;
      return Fail("an integer that fits in 64 bits");
    }
    return node;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Result<Node> ParseLine(std::string_view line) { return Parser(line).ParseAll(); }

}  // namespace raftlab::checker::edn
