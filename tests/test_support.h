// Helpers shared by the tests: where the scenario library and the SpecBench data live, how
// to load a scenario ready to run, and how a test that lacks the SpecBench data reports
// itself skipped instead of passing silently.
#pragma once

#include <algorithm>
#include <boost/test/framework.hpp>
#include <boost/test/tools/assertion_result.hpp>
#include <boost/test/tree/test_unit.hpp>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "sim/scenario.h"

namespace lockstep::test {

inline std::string source_path(const std::string& relative) {
  return std::string(LOCKSTEP_SOURCE_DIR) + "/" + relative;
}

// Where SpecBench's question.jsonl is expected, beside the repository.
inline std::string specbench_expected_path() {
  return source_path("../shared/data/specbench/question.jsonl");
}

// SpecBench's question.jsonl beside the repository, or "" when it is not there.
inline std::string specbench_path() {
  const std::string path = specbench_expected_path();
  return std::filesystem::exists(path) ? path : std::string();
}

// Prints one "skipped" line on stdout, so a plain run and `ctest --output-on-failure -V` show
// what did not run; Boost's own reports (--log_level=test_suite, --report_level=short) only
// cover whole test cases.
inline void report_skipped(const std::string& what, const std::string& why) {
  std::cout << "skipped: " << what << ": " << why << std::endl;
}

// Boost.Test precondition for a case that needs the SpecBench questions:
// BOOST_AUTO_TEST_CASE(name, *boost::unit_test::precondition(test::specbench_present)).
// Without the file the case is reported skipped (Boost counts it as skipped, never passed).
inline boost::test_tools::assertion_result specbench_present(boost::unit_test::test_unit_id id) {
  if (!specbench_path().empty()) return true;
  const std::string why = "SpecBench questions not found at " + specbench_expected_path();
  report_skipped(
      "test case " + boost::unit_test::framework::get(id, boost::unit_test::TUT_ANY).full_name(),
      why);
  boost::test_tools::assertion_result result(false);
  result.message() << why;
  return result;
}

// Every scenario file of the library, sorted; the SpecBench one only when its data exists
// (its absence is reported as a skip of that scenario in the calling test case).
inline std::vector<std::string> scenario_files() {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(source_path("scenarios"))) {
    if (entry.path().extension() != ".json") continue;
    if (entry.path().stem() == "specbench" && specbench_path().empty()) {
      const std::string where = boost::unit_test::framework::test_in_progress()
                                    ? boost::unit_test::framework::current_test_case().full_name()
                                    : std::string("test registration");
      report_skipped("scenarios/specbench.json in " + where,
                     "SpecBench questions not found at " + specbench_expected_path());
      continue;
    }
    out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline sim::Scenario load_ready(const std::string& path) {
  sim::Scenario s = sim::load_scenario_file(path);
  sim::finalize_scenario(s, s.specbench ? specbench_path() : std::string());
  return s;
}

}  // namespace lockstep::test
