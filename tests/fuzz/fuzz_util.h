// What every fuzz target checks besides "no crash": a reader either returns
// a value or an error that names the input (the file name it was given), so
// a user learns where the bad input is.
#pragma once

#include <string>

#include "core/base/check.h"
#include "core/base/result.h"

namespace raftlab::fuzz {

inline constexpr const char* kSource = "fuzz-input";

template <class T>
void CheckNamesSource(const Result<T>& r) {
  if (r) return;
  CHECK_MSG(r.error().message.rfind(kSource, 0) == 0,
            "an error that does not name its input: " + r.error().message);
}

}  // namespace raftlab::fuzz
