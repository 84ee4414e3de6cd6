#include "verify/fault_matrix.h"

#include "sim/error.h"
#include "sim/faults.h"
#include "verify/verify.h"

namespace lockstep::verify {
namespace {

FaultCell run_cell(const sim::Scenario& base, const std::string& fault) {
  sim::Scenario s = base;
  FaultCell cell;
  if (!fault.empty()) {
    s.faults = {fault};
    const sim::FaultSet set = sim::FaultSet::from_names(s.faults);
    for (const auto& info : sim::fault_registry()) {
      if (set.has(info.fault)) cell.applies = sim::fault_applies(info.fault, s.strategy);
    }
  }
  try {
    const CheckedRun run = run_checked(s, CheckOptions{});
    cell.violations = run.violation_count;
    if (!run.violations.empty()) cell.first = run.violations.front();
    cell.equivalence_broken = run.equivalent_sequences != static_cast<int>(run.oracle.size());
  } catch (const std::exception& e) {
    // A faulty layout must end in a reported violation, not a crash: keep the message so
    // the matrix shows it instead of aborting the other cells.
    cell.error = e.what();
  }
  return cell;
}

FaultRow run_row(const std::vector<sim::Scenario>& scenarios, const std::string& fault) {
  FaultRow row{fault, {}};
  for (const auto& s : scenarios) row.cells.push_back(run_cell(s, fault));
  return row;
}

}  // namespace

bool FaultRow::detected() const {
  return first_detecting() >= 0;
}

bool FaultRow::equivalence_broken() const {
  for (const auto& c : cells) {
    if (c.equivalence_broken) return true;
  }
  return false;
}

int FaultRow::first_detecting() const {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].first) return static_cast<int>(i);
  }
  return -1;
}

bool FaultMatrix::ok() const {
  for (const auto& c : baseline.cells) {
    if (c.first || c.equivalence_broken || !c.error.empty()) return false;
  }
  for (const auto& r : rows) {
    if (!r.detected()) return false;
    for (const auto& c : r.cells) {
      if (!c.error.empty()) return false;
    }
  }
  return true;
}

FaultMatrix run_fault_matrix(std::vector<sim::Scenario> scenarios,
                             const std::vector<std::string>& faults) {
  FaultMatrix m;
  m.scenarios = std::move(scenarios);
  for (auto& s : m.scenarios) s.faults.clear();  // each cell injects exactly one fault
  m.baseline = run_row(m.scenarios, "");
  for (const auto& name : faults.empty() ? sim::fault_names() : faults) {
    m.rows.push_back(run_row(m.scenarios, name));
  }
  return m;
}

nlohmann::json fault_matrix_json(const FaultMatrix& m) {
  auto violation_json = [](const Violation& v) {
    return nlohmann::json{{"invariant", v.invariant},
                          {"step", v.step},
                          {"row", v.row},
                          {"slot", v.slot},
                          {"detail", v.detail}};
  };
  nlohmann::json faults = nlohmann::json::array();
  for (const auto& r : m.rows) {
    nlohmann::json first = nullptr;
    if (const int i = r.first_detecting(); i >= 0) {
      const auto& s = m.scenarios[static_cast<std::size_t>(i)];
      first = violation_json(*r.cells[static_cast<std::size_t>(i)].first);
      first["scenario"] = s.name;
    }
    nlohmann::json cells = nlohmann::json::array();
    for (std::size_t i = 0; i < r.cells.size(); ++i) {
      const auto& c = r.cells[i];
      cells.push_back({{"scenario", m.scenarios[i].name},
                       {"strategy", m.scenarios[i].strategy},
                       {"applies", c.applies},
                       {"violations", c.violations},
                       {"first", c.first ? violation_json(*c.first) : nlohmann::json()},
                       {"equivalence_broken", c.equivalence_broken},
                       {"error", c.error.empty() ? nlohmann::json() : nlohmann::json(c.error)}});
    }
    faults.push_back({{"name", r.fault},
                      {"detected", r.detected()},
                      {"equivalence_broken", r.equivalence_broken()},
                      {"first", first},
                      {"cells", cells}});
  }
  bool clean = true;
  for (const auto& c : m.baseline.cells)
    clean = clean && !c.first && !c.equivalence_broken && c.error.empty();
  nlohmann::json scenarios = nlohmann::json::array();
  for (const auto& s : m.scenarios) scenarios.push_back(s.name);
  return {{"backend", m.scenarios.empty() ? "" : m.scenarios.front().backend},
          {"scenarios", scenarios},
          {"baseline_clean", clean},
          {"all_detected", m.ok()},
          {"faults", faults}};
}

}  // namespace lockstep::verify
