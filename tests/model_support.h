// Tests that need the real model (SmolLM2-135M in the model cache, scripts/fetch-model.sh):
// where it is, and a Boost.Test precondition that reports the case skipped (never passed)
// when it is absent.
#pragma once

#include <boost/test/framework.hpp>
#include <boost/test/tools/assertion_result.hpp>
#include <boost/test/tree/test_unit.hpp>
#include <filesystem>
#include <iostream>
#include <string>

#include "gguf/model_cache.h"

namespace lockstep::test {

inline constexpr const char* kRealModel = "smollm2-135m";

// The cached real model's path, or "" when it is not there.
inline std::string real_model_path() {
  const std::string path = gguf::cached_model_path(kRealModel);
  return std::filesystem::is_regular_file(path) ? path : std::string();
}

// BOOST_AUTO_TEST_CASE(name, *boost::unit_test::precondition(test::real_model_present))
inline boost::test_tools::assertion_result real_model_present(boost::unit_test::test_unit_id id) {
  if (!real_model_path().empty()) return true;
  const std::string why = std::string(kRealModel) + " not in the model cache (" +
                          gguf::cached_model_path(kRealModel) +
                          "; scripts/fetch-model.sh fetches it)";
  std::cout << "skipped: test case "
            << boost::unit_test::framework::get(id, boost::unit_test::TUT_ANY).full_name() << ": "
            << why << std::endl;
  boost::test_tools::assertion_result result(false);
  result.message() << why;
  return result;
}

}  // namespace lockstep::test
