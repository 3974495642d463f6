// Reader for Jepsen EDN register histories (see edn_history.h for the syntax).
//
// Contract: :f is :read, :write or :cas (value [old new]); single-register
// histories, keyed ones (:key "k") and jepsen.independent tuples (:value [k v]).
#pragma once

#include <string>
#include <string_view>

#include "checker/history.h"
#include "core/base/result.h"

namespace raftlab::checker {

Result<History> ReadJepsenEdn(std::string_view text, const std::string& source);

}  // namespace raftlab::checker
