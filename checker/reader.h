// Reading a history file in any supported format.
//
// Contract: ReadHistoryFile never throws; unreadable files and parse errors
// come back as Error whose message starts with "FILE:LINE".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "checker/history.h"
#include "core/base/result.h"

namespace raftlab::checker {

enum class HistoryFormat { kAuto, kJsonl, kJepsenEdn, kPorcupineKv };

const char* HistoryFormatName(HistoryFormat format);
std::optional<HistoryFormat> ParseHistoryFormat(std::string_view name);

// Guesses from the first non-blank line: '{"' is JSON lines; an EDN map with
// :f :get/:put/:append is Porcupine kv; any other EDN map is Jepsen.
HistoryFormat DetectFormat(std::string_view text);

// REQUIRES: format != kAuto.
Result<History> ReadHistory(std::string_view text, const std::string& source,
                            HistoryFormat format);

// Reads `path`; kAuto detects the format (the detected one is stored in *used).
Result<History> ReadHistoryFile(const std::string& path, HistoryFormat format,
                                HistoryFormat* used);

}  // namespace raftlab::checker
