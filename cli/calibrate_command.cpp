// `lockstep calibrate` (docs/cost-model.md, "Calibration" and "The cpu profile"). Output is a
// table of every row's measured and predicted seconds (uncalibrated and fitted) so a bad fit
// is visible row by row, and, for held-out rows, the error per (role, rows) group.
#include "cli/calibrate_command.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include <fmt/core.h>

#include "cli/calibrate_report.h"
#include "cli/output.h"
#include "reference/gemm_kernels.h"
#include "reference/probe.h"
#include "sim/cost_calibrate.h"
#include "sim/cost_cpu.h"
#include "sim/cost_model.h"
#include "sim/error.h"

namespace lockstep::cli {
namespace {

struct CalibrateArgs {
  std::string measured;
  bool probe = false;
  std::string probe_out = "cpu-profile.json";
  std::string profile;
  std::string write_profile;
  std::string holdout;
  std::vector<std::int64_t> fit_rows;
  std::vector<std::int64_t> holdout_rows;
  double max_error = -1;  // percent; < 0: no gate
};

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return buf;
}

int probe(const CalibrateArgs& a) {
  fmt::print(
      "lockstep calibrate --probe: measuring this machine (medians; a shared machine is "
      "noisy)\n");
  const reference::ProbeReport report = reference::run_probe();
  print_probe(report);
  sim::CpuProfile profile;
  profile.probe = report.probe;
  profile.note = "lockstep calibrate --probe, " + utc_now();
  sim::cpu_hardware(profile.probe);  // refuses a non-positive or non-finite figure
  const auto parent = std::filesystem::path(a.probe_out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  write_file_atomically(a.probe_out, sim::cpu_profile_json(profile));
  fmt::print("  written        {} (use: --profile {})\n", a.probe_out, a.probe_out);
  return 0;
}

// A profile prices the GEMM kernel it was probed on; the passes to fit were timed by a bench
// run with this process's environment (LOCKSTEP_GEMM_KERNEL), so the two kernels must agree.
void require_profile_of_this_kernel(const sim::CpuProfile& profile, const std::string& path) {
  const std::string running = reference::gemm_kernel_name(reference::effective_gemm_kernel());
  if (profile.probe.gemm_kernel == running) return;
  throw InputError("calibrate: the profile " + path + " was probed on the '" +
                   profile.probe.gemm_kernel + "' GEMM kernel ('gemm_kernel'), but the kernel in " +
                   "use is '" + running + "' (LOCKSTEP_GEMM_KERNEL): run calibrate --probe " +
                   "and bench with the kernel you price, or set LOCKSTEP_GEMM_KERNEL=" +
                   profile.probe.gemm_kernel);
}

// Rows whose `rows` column is listed; every row when the list is empty.
std::vector<sim::CalibrationRow> select(const std::vector<sim::CalibrationRow>& rows,
                                        const std::vector<std::int64_t>& wanted) {
  std::vector<sim::CalibrationRow> out;
  for (const auto& r : rows) {
    if (wanted.empty() || std::find(wanted.begin(), wanted.end(), r.rows) != wanted.end())
      out.push_back(r);
  }
  return out;
}

double mean_abs(const sim::CalibrationResult& r) {
  return r.relative_error.empty() ? 0.0 : r.mean_abs_error;
}

int calibrate(const CalibrateArgs& a) {
  if (a.measured.empty()) throw InputError("calibrate: give MEASURED.csv, or --probe");
  std::optional<sim::CpuProfile> profile;
  std::optional<sim::Hardware> hardware;
  if (!a.profile.empty()) {
    profile = sim::load_cpu_profile(a.profile);
    require_profile_of_this_kernel(*profile, a.profile);
    hardware = sim::cpu_hardware(profile->probe);
  }
  const sim::Hardware* measured = hardware ? &*hardware : nullptr;
  const auto all = sim::parse_calibration_csv(read_text(a.measured), a.measured, measured);
  const auto fit_rows = select(all, a.fit_rows);
  auto holdout =
      a.holdout_rows.empty() ? std::vector<sim::CalibrationRow>{} : select(all, a.holdout_rows);
  if (!a.holdout.empty()) {
    for (const auto& r : sim::parse_calibration_csv(read_text(a.holdout), a.holdout, measured))
      holdout.push_back(r);
  }
  if (fit_rows.size() < 2)
    throw InputError("calibrate: fewer than 2 rows to fit (check --fit-rows against the CSV)");
  const auto fit = sim::calibrate(fit_rows, measured);
  const sim::CostModel model = sim::parse_cost_spec(fit_rows.front().cost, fit.constants, measured);
  fmt::print("lockstep calibrate: fit on {} of {} measured rows from {}\n", fit_rows.size(),
             all.size(), a.measured);
  print_constants(fit.constants, model.hardware());
  print_rows(fit_rows, fit);
  fmt::print("  fit error      mean |error| {:.2f}% (uncalibrated {:.2f}%), max {:.2f}%\n",
             100.0 * fit.mean_abs_error, 100.0 * fit.uncalibrated_mean_abs_error,
             100.0 * fit.max_abs_error);
  double gated = mean_abs(fit);
  if (!holdout.empty()) {
    const auto held = sim::evaluate(holdout, fit.constants, measured);
    fmt::print("held-out: {} rows the fit never saw, priced with the fitted constants\n",
               holdout.size());
    print_rows(holdout, held);
    print_groups(holdout, held);
    fmt::print("  held-out error mean |error| {:.2f}% (uncalibrated {:.2f}%), max {:.2f}%\n",
               100.0 * held.mean_abs_error, 100.0 * held.uncalibrated_mean_abs_error,
               100.0 * held.max_abs_error);
    gated = held.mean_abs_error;
  }
  if (model.hardware().form == sim::CostForm::sum) {
    if (!a.write_profile.empty()) {
      profile->fitted = fit.constants;
      profile->has_fit = true;
      write_file_atomically(a.write_profile, sim::cpu_profile_json(*profile));
    }
    fmt::print(
        "  use            --cost {} --profile {}\n", model.spec(),
        a.write_profile.empty() ? "(fitted profile: add --write-profile FILE)" : a.write_profile);
  } else {
    if (!a.write_profile.empty())
      throw InputError("calibrate: --write-profile is for the cpu hardware only");
    fmt::print("  use            --cost {}\n", model.spec());
  }
  if (a.max_error >= 0 && 100.0 * gated > a.max_error) {
    fmt::print("  FAILED         mean |error| {:.2f}% > --max-error {:.2f}%\n", 100.0 * gated,
               a.max_error);
    return 1;
  }
  return 0;
}

}  // namespace

void add_calibrate_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<CalibrateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate", "Fit the cost model's constants to measured passes, or probe this machine");
  cmd->footer(
      "MEASURED.csv has the header\n"
      "  cost,role,rows,tokens,kv,measured_seconds\n"
      "and one row per measured forward pass: cost = HW:PAIR[:int8|bf16] (one hardware per\n"
      "file), role = target|draft, a pass of `rows` rows each feeding `tokens` new tokens and\n"
      "attending `kv` KV slots (kv >= tokens), and its measured wall time in seconds.\n"
      "GPU presets: the fit minimises the squared relative error of\n"
      "  max(bytes / (bandwidth * f), ops / peak) + launches * L\n"
      "over f (achieved bandwidth fraction) and L (seconds per kernel launch).\n"
      "cpu (cost cpu:TARGET/DRAFT, needs --profile FILE from `calibrate --probe`): the fit\n"
      "scales each probed term of\n"
      "  bytes / bandwidth + gemm_ops / gemm_rate + attention_ops / attention_rate\n"
      "  + (n_layers + 1) * step_overhead + weight_passes * weight_bytes / pass_rate\n"
      "A profile prices the GEMM kernel it was probed on (LOCKSTEP_GEMM_KERNEL, default\n"
      "int8_avx2: 1-byte weights); calibrate refuses a profile of another kernel. The probe\n"
      "runs on one thread, as bench --clock thread does.\n"
      "Every row's error is printed with the defaults and with the fitted constants; held-out\n"
      "rows (--holdout-rows, --holdout) are priced with the constants fitted on the others.\n"
      "Exit status: 0 done; 1 the mean |error| (held-out when given, else fit) exceeds\n"
      "--max-error; 2 bad input.\n"
      "Examples:\n"
      "  lockstep calibrate --probe --out out/cpu-profile.json\n"
      "  lockstep calibrate out/bench/passes.csv --profile out/cpu-profile.json \\\n"
      "    --fit-rows 1,8 --holdout-rows 4,16 --write-profile out/cpu-fitted.json");
  cmd->add_option("MEASURED", a->measured, "CSV of measured pass times");
  cmd->add_flag("--probe", a->probe, "Measure this machine and write a cpu profile (--out)");
  cmd->add_option("--out", a->probe_out,
                  "With --probe: the profile file (default cpu-profile.json)");
  cmd->add_option("--profile", a->profile, "cpu profile JSON (from --probe) for cost cpu:...");
  cmd->add_option("--write-profile", a->write_profile,
                  "Write the profile with the fitted constants");
  cmd->add_option("--fit-rows", a->fit_rows, "Fit only on rows with these `rows` values")
      ->delimiter(',');
  cmd->add_option("--holdout-rows", a->holdout_rows,
                  "Report the error on rows with these `rows` values, never fitted")
      ->delimiter(',');
  cmd->add_option("--holdout", a->holdout,
                  "A second CSV of held-out rows (e.g. other batch sizes)");
  cmd->add_option("--max-error", a->max_error, "Exit 1 when the mean |error| exceeds PCT percent");
  cmd->callback([a, &exit_code] { exit_code = a->probe ? probe(*a) : calibrate(*a); });
}

}  // namespace lockstep::cli
