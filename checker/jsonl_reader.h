// Reader for raftlab's own JSON-lines history format (docs/formats.md).
//
// Contract: one JSON object per line, each a complete operation (invocation
// and outcome together). Unknown members are errors, so a typo cannot make a
// field silently absent. Errors read "FILE:LINE:COLUMN: expected ..." for
// syntax and "FILE:LINE: "member": expected ..., found ..." for content.
#pragma once

#include <string>
#include <string_view>

#include "checker/history.h"
#include "core/base/result.h"

namespace raftlab::checker {

Result<History> ReadJsonl(std::string_view text, const std::string& source);

}  // namespace raftlab::checker
