#include "checker/jepsen_reader.h"

#include "checker/edn_history.h"

namespace raftlab::checker {

Result<History> ReadJepsenEdn(std::string_view text, const std::string& source) {
  return ReadEdnHistory(text, source, EdnDialect::kJepsen);
}

}  // namespace raftlab::checker
