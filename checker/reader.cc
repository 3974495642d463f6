#include "checker/reader.h"

#include <filesystem>
#include <fstream>

#include "checker/jepsen_reader.h"
#include "checker/jsonl_reader.h"
#include "checker/porcupine_reader.h"
#include "core/base/check.h"

namespace raftlab::checker {

const char* HistoryFormatName(HistoryFormat format) {
  switch (format) {
    case HistoryFormat::kAuto: return "auto";
    case HistoryFormat::kJsonl: return "jsonl";
    case HistoryFormat::kJepsenEdn: return "jepsen-edn";
    case HistoryFormat::kPorcupineKv: return "porcupine-kv";
  }
  UNREACHABLE();
}

std::optional<HistoryFormat> ParseHistoryFormat(std::string_view name) {
  for (HistoryFormat f : {HistoryFormat::kAuto, HistoryFormat::kJsonl, HistoryFormat::kJepsenEdn,
                          HistoryFormat::kPorcupineKv}) {
    if (name == HistoryFormatName(f)) return f;
  }
  return std::nullopt;
}

HistoryFormat DetectFormat(std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) continue;
    line = line.substr(first);
    const size_t next = line.find_first_not_of(" \t\r", 1);
    if (line[0] == '{' && next != std::string_view::npos && line[next] == '"') {
      return HistoryFormat::kJsonl;
    }
    for (std::string_view f : {":f :get", ":f :put", ":f :append"}) {
      if (line.find(f) != std::string_view::npos) return HistoryFormat::kPorcupineKv;
    }
    return HistoryFormat::kJepsenEdn;
  }
  return HistoryFormat::kJsonl;  // an empty file is an empty history in any format
}

Result<History> ReadHistory(std::string_view text, const std::string& source,
                            HistoryFormat format) {
  switch (format) {
    case HistoryFormat::kJsonl: return ReadJsonl(text, source);
    case HistoryFormat::kJepsenEdn: return ReadJepsenEdn(text, source);
    case HistoryFormat::kPorcupineKv: return ReadPorcupineKv(text, source);
    case HistoryFormat::kAuto: break;
  }
  UNREACHABLE();
}

Result<History> ReadHistoryFile(const std::string& path, HistoryFormat format,
                                HistoryFormat* used) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return MakeError(ErrorCode::kIo, path + ": not a readable regular file");
  }
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return MakeError(ErrorCode::kIo, path + ": cannot open the history file");
  const std::streamoff size = in.tellg();
  if (size < 0) return MakeError(ErrorCode::kIo, path + ": cannot determine the file size");
  // One allocation of the exact size: histories are megabytes, and growing a
  // stream buffer would copy them several times.
  std::string text(static_cast<size_t>(size), '\0');
  in.seekg(0);
  in.read(text.data(), size);
  if (!in) return MakeError(ErrorCode::kIo, path + ": read error");
  if (format == HistoryFormat::kAuto) format = DetectFormat(text);
  if (used != nullptr) *used = format;
  return ReadHistory(text, path, format);
}

}  // namespace raftlab::checker
