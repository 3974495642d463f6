// JSON for raftlab's files: histories, results, figures, explanations.
//
// Reading and writing are rapidjson's (Debian rapidjson-dev: one header-only
// library for both, a SAX/DOM reader that reports the byte offset of an
// error, and a writer that validates UTF-8). This module adds raftlab's
// conventions on top, so that every writer and reader agree:
//
// - Bytes (etcd keys and values are arbitrary bytes): a JSON string when the
//   bytes are valid UTF-8, else an object {"base64": "..."} holding their
//   RFC 4648 base64 (as etcd's JSON gateway writes bytes). Lossless both
//   ways; BytesOf accepts exactly what WriteBytes writes.
// - Text (messages, names, errors): always a JSON string; a byte that is not
//   part of valid UTF-8 becomes the four characters \xNN (readable, lossy:
//   text is for people).
// - Numbers: integers. Readers take int64 where a format needs a number and
//   refuse fractions and exponents (floating point stays out of raftlab).
// - Everything written is valid UTF-8 JSON; a writer asked to write invalid
//   UTF-8 is a programming error (CHECK).
// - Parse errors name the 1-based column (byte offset) and what was expected.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/base/result.h"

namespace raftlab::checker::json {

// A writer that refuses invalid UTF-8 instead of writing it.
using Writer = rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>,
                                 rapidjson::CrtAllocator, rapidjson::kWriteValidateEncodingFlag>;

// One JSON text under construction. Usage:
//   json::Out out; out.w.StartObject(); out.Key("a"); out.w.Int64(1); ...
//   out.w.EndObject(); file << out.str() << '\n';
class Out {
 public:
  Out() : w(buffer_) {}
  Out(const Out&) = delete;
  Out& operator=(const Out&) = delete;

  void Key(std::string_view name);
  void Bytes(std::string_view bytes);  // the bytes convention above
  void Text(std::string_view text);    // the text convention above
  void Int(int64_t v) { w.Int64(v); }
  void Uint(uint64_t v) { w.Uint64(v); }
  void Bool(bool v) { w.Bool(v); }
  void Null() { w.Null(); }
  // A number written with `decimals` digits after the point, as formats
  // that carry times (wall_ms, wall_s) have them.
  void Fixed(double v, int decimals);

  // Object members: the key, then the value.
  void Bytes(std::string_view key, std::string_view bytes) { Key(key); Bytes(bytes); }
  void Text(std::string_view key, std::string_view text) { Key(key); Text(text); }
  void Int(std::string_view key, int64_t v) { Key(key); Int(v); }
  void Uint(std::string_view key, uint64_t v) { Key(key); Uint(v); }
  void Bool(std::string_view key, bool v) { Key(key); Bool(v); }
  void Fixed(std::string_view key, double v, int decimals) { Key(key); Fixed(v, decimals); }
  // null when absent.
  void UintOrNull(std::string_view key, const std::optional<uint64_t>& v);
  // Valid while this Out lives and is not written to.
  std::string_view view() const { return {buffer_.GetString(), buffer_.GetSize()}; }
  std::string str() const { return std::string(view()); }

 private:
  rapidjson::StringBuffer buffer_;

 public:
  Writer w;  // for structure (Start/EndObject, Start/EndArray) and scalars
};

// Whether `bytes` is valid UTF-8 (RFC 3629: no overlong forms, surrogates or
// code points above U+10FFFF).
bool IsUtf8(std::string_view bytes);

// `text` with every byte that is not part of valid UTF-8 replaced by \xNN.
std::string ToValidUtf8(std::string_view text);

// Parses `text` as exactly one JSON value into *doc (strict: UTF-8 checked,
// no trailing content, no recursion however deep the nesting). Errors read
// "column C: expected ...".
Status Parse(std::string_view text, rapidjson::Document* doc);

// The bytes a WriteBytes value stands for: a string, or {"base64": "..."};
// nullopt for anything else (a base64 string that does not decode included).
std::optional<std::string> BytesOf(const rapidjson::Value& v);

// A short description of `v` for "expected ..., found ..." messages.
std::string Describe(const rapidjson::Value& v);

}  // namespace raftlab::checker::json
