// Helpers shared by the tests: where the scenario library and the SpecBench data live, and
// how to load a scenario ready to run.
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/scenario.h"

namespace lockstep::test {

inline std::string source_path(const std::string& relative) {
  return std::string(LOCKSTEP_SOURCE_DIR) + "/" + relative;
}

// SpecBench's question.jsonl beside the repository, or "" when it is not there.
inline std::string specbench_path() {
  const std::string path = source_path("../shared/data/specbench/question.jsonl");
  return std::filesystem::exists(path) ? path : std::string();
}

// Every scenario file of the library, sorted; the SpecBench one only when its data exists.
inline std::vector<std::string> scenario_files() {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(source_path("scenarios"))) {
    if (entry.path().extension() != ".json") continue;
    if (entry.path().stem() == "specbench" && specbench_path().empty()) continue;
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
