#include "checker/porcupine_reader.h"

#include "checker/edn_history.h"

namespace raftlab::checker {

Result<History> ReadPorcupineKv(std::string_view text, const std::string& source) {
  return ReadEdnHistory(text, source, EdnDialect::kPorcupineKv);
}

}  // namespace raftlab::checker
