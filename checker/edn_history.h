// Turns one-map-per-line EDN logs into a History (Jepsen and Porcupine dialects).
//
// Contract: each non-blank line is one event map {:type :invoke|:ok|:fail|:info,
// :f, :value, :process, [:time], [:key], [:error]}. Invocations and completions
// are matched by :process (at most one outstanding call per process); an
// invocation without a completion is indeterminate. Lines whose :process is
// not an integer (the nemesis) are skipped. Without :time the line number is
// the time. Errors read "FILE:LINE:COLUMN: expected ..., found ...".
#pragma once

#include <string>
#include <string_view>

#include "checker/history.h"
#include "core/base/result.h"

namespace raftlab::checker {

enum class EdnDialect {
  kJepsen,       // :f :read|:write|:cas, integer values, :key or [k v] tuples
  kPorcupineKv,  // :f :get|:put|:append with :key, string values
};

Result<History> ReadEdnHistory(std::string_view text, const std::string& source,
                               EdnDialect dialect);

}  // namespace raftlab::checker
