#include "verify/fault_matrix.h"

#include "sim/error.h"
#include "sim/faults.h"
#include "sim/hash.h"
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
    // Under rejection sampling outputs differ from batch-1 AR by design: not a break.
    cell.equivalence_broken =
        !run.rejection && run.equivalent_sequences != static_cast<int>(run.oracle.size());
    cell.numerics_divergence = run.verdict() == Verdict::numerics_divergence;
    std::uint64_t h = 0;
    for (const auto& out : run.result.outputs()) {
      for (const sim::Token t : out) h = sim::combine(h, static_cast<std::uint64_t>(t));
      h = sim::combine(h, ~0ULL);
    }
    cell.outputs_digest = h;
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

bool FaultRow::changed_outputs(const FaultRow& baseline) const {
  for (std::size_t i = 0; i < cells.size() && i < baseline.cells.size(); ++i) {
    if (cells[i].outputs_digest != baseline.cells[i].outputs_digest) return true;
  }
  return false;
}

bool FaultMatrix::every_effective_fault_detected() const {
  if (!baseline_clean()) return false;
  for (const auto& r : rows) {
    if (!r.detected() && r.changed_outputs(baseline)) return false;
    for (const auto& c : r.cells) {
      if (!c.error.empty()) return false;
    }
  }
  return true;
}

bool FaultMatrix::baseline_clean() const {
  for (const auto& c : baseline.cells) {
    if (c.first || (c.equivalence_broken && !c.numerics_divergence) || !c.error.empty())
      return false;
  }
  return true;
}

bool FaultMatrix::ok() const {
  if (!baseline_clean()) return false;
  for (const auto& r : rows) {
    if (!r.detected()) return false;
    for (const auto& c : r.cells) {
      if (!c.error.empty()) return false;
    }
  }
  return true;
}

// Every registered fault but those only the distribution test can see
// (sim::is_distribution_fault), and under float numerics not those only
// batch-1 AR can see (sim::caught_only_against_the_oracle): there it is no oracle.
static std::vector<std::string> default_faults(bool float_numerics) {
  std::vector<std::string> out;
  for (const auto& f : sim::fault_registry()) {
    if (sim::is_distribution_fault(f.fault)) continue;
    if (!(float_numerics && sim::caught_only_against_the_oracle(f.fault))) out.emplace_back(f.name);
  }
  return out;
}

FaultMatrix run_fault_matrix(std::vector<sim::Scenario> scenarios,
                             const std::vector<std::string>& faults,
                             std::optional<sim::Numerics> numerics) {
  FaultMatrix m;
  m.scenarios = std::move(scenarios);
  for (auto& s : m.scenarios) {
    s.faults.clear();  // each cell injects exactly one fault
    if (numerics) {
      s.numerics = *numerics;
      sim::install_numerics(s);
    }
    m.float_numerics = m.float_numerics || sim::is_float(s.target.numerics);
  }
  m.baseline = run_row(m.scenarios, "");
  for (const auto& name : faults.empty() ? default_faults(m.float_numerics) : faults) {
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
                       {"numerics_divergence", c.numerics_divergence},
                       {"error", c.error.empty() ? nlohmann::json() : nlohmann::json(c.error)}});
    }
    faults.push_back({{"name", r.fault},
                      {"detected", r.detected()},
                      {"equivalence_broken", r.equivalence_broken()},
                      {"changed_outputs", r.changed_outputs(m.baseline)},
                      {"first", first},
                      {"cells", cells}});
  }
  nlohmann::json scenarios = nlohmann::json::array();
  for (const auto& s : m.scenarios) scenarios.push_back(s.name);
  return {{"backend", m.scenarios.empty() ? "" : m.scenarios.front().backend},
          {"scenarios", scenarios},
          {"float_numerics", m.float_numerics},
          {"baseline_clean", m.baseline_clean()},
          {"all_detected", m.ok()},
          {"every_effective_fault_detected", m.every_effective_fault_detected()},
          {"faults", faults}};
}

}  // namespace lockstep::verify
