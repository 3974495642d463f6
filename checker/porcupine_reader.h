// Reader for Porcupine's key-value logs (test_data/kv): EDN lines with
// :f :get|:put|:append, a :key and string values; absent keys read as "".
// Porcupine logs carry no clock, so the line number is the time.
#pragma once

#include <string>
#include <string_view>

#include "checker/history.h"
#include "core/base/result.h"

namespace raftlab::checker {

Result<History> ReadPorcupineKv(std::string_view text, const std::string& source);

}  // namespace raftlab::checker
