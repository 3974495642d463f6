// Runs a RapidCheck property as a gtest with at least `min_cases` cases.
// RC_PARAMS still sets the seed (and can raise the count); the failure
// message carries RapidCheck's seed and reproduction string.
// (A candidate for tests/util: other modules need the same.)
#pragma once

#include <algorithm>
#include <iostream>
#include <sstream>

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/detail/TestListenerAdapter.h>

namespace raftlab::testing {

template <class Testable>
void CheckProperty(int min_cases, Testable&& testable) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata metadata;
  metadata.id = std::string(info->test_suite_name()) + "/" + info->name();
  metadata.description = info->name();
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  params.maxSuccess = std::max(params.maxSuccess, min_cases);
  rc::detail::TestListenerAdapter listener;  // no progress output
  const auto result = rc::detail::checkProperty(
      rc::detail::toProperty(std::forward<Testable>(testable)), metadata, params, listener,
      rc::detail::configuration().reproduce);
  if (result.template is<rc::detail::SuccessResult>()) {
    if (!result.template get<rc::detail::SuccessResult>().distribution.empty()) {
      rc::detail::printResultMessage(result, std::cout);  // RC_CLASSIFY / RC_TAG output
      std::cout << std::endl;
    }
  } else {
    std::ostringstream out;
    rc::detail::printResultMessage(result, out);
    FAIL() << out.str();
  }
}

}  // namespace raftlab::testing
