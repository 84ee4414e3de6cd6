// The strategy registry (sim/strategy.h): its rows, lookups and errors, the traits the
// faults read, and the extension path: a strategy registered at run time, built on the
// shared round (sim/round.h), runs through the checker like a built-in one.
#define BOOST_TEST_MODULE strategy_registry
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

#include "sim/error.h"
#include "sim/faults.h"
#include "sim/round.h"
#include "sim/strategy.h"
#include "tests/test_support.h"
#include "verify/verify.h"

using namespace lockstep;
using lockstep::InputError;

namespace {

bool message_has(const std::exception& e, const std::string& needle) {
  return std::string(e.what()).find(needle) != std::string::npos;
}

// The extra strategy: one sequence at a time in the packed layout, KV cropped per round.
// Everything but admission and the crop is the shared round.
void run_solo_packed(sim::Engine& engine) {
  using sim::ModelRole;
  const int capacity = engine.kv_capacity();
  const sim::CacheId target = engine.create_cache(ModelRole::target, 1, capacity);
  const sim::CacheId draft =
      engine.drafting() ? engine.create_cache(ModelRole::draft, 1, capacity) : sim::CacheId{};
  auto each_cache = [&](auto&& fn) {
    fn(ModelRole::target, target);
    if (engine.drafting()) fn(ModelRole::draft, draft);
  };
  for (int id; (id = engine.next_unadmitted()) >= 0;) {
    each_cache([&](ModelRole role, sim::CacheId cache) { engine.crop(role, cache, 0, 0); });
    sim::RoundGroup group{
        .layout = sim::Layout::packed,
        .target = target,
        .draft = draft,
        .rows = {{.seq = id, .cache_row = 0, .kv_extent = engine.sequence(id).cached_length()}}};
    while (!engine.sequence(id).finished) {
      engine.begin_step();
      const sim::Round round = sim::speculative_round(engine, group, {});
      std::vector<sim::RowPlacement> placements;
      const sim::Sequence& seq = engine.sequence(id);
      const int extent =
          sim::kv_length_after_round(engine, {.correct = seq.cached_length(),
                                              .before = group.rows[0].kv_extent,
                                              .accepted = round.outcome.accepted[0],
                                              .most_accepted = round.outcome.most_accepted()});
      group.rows[0].kv_extent = extent;
      if (!seq.finished) {
        each_cache([&](ModelRole role, sim::CacheId cache) {
          engine.crop(role, cache, 0, extent);
          placements.push_back({id, role, cache, 0, 0, extent, extent});
        });
      }
      engine.end_step(placements);
    }
  }
}

const sim::StrategyInfo& solo_packed() {
  static const bool registered = [] {
    sim::register_strategy({.name = "solo-packed",
                            .description = "test: one sequence at a time, packed layout",
                            .layout = sim::Layout::packed,
                            .drafts = true,
                            .admission = sim::Admission::one_at_a_time,
                            .realignment = sim::Realignment::packed_crop,
                            .run = run_solo_packed});
    return true;
  }();
  (void)registered;
  return sim::find_strategy("solo-packed");
}

}  // namespace

BOOST_AUTO_TEST_CASE(built_in_rows_are_complete_and_unique) {
  const auto names = sim::strategy_names();
  BOOST_TEST(names.size() >= 6u);
  BOOST_TEST((std::vector<std::string>(names.begin(), names.begin() + 6) ==
              std::vector<std::string>{"ar", "spec1", "eqspec", "exspec", "rollback", "packed"}));
  std::set<std::string> seen;
  for (const auto& s : sim::strategy_registry()) {
    BOOST_TEST(seen.insert(s.name).second, "duplicate " << s.name);
    BOOST_TEST(s.description.size() > 10u, s.name);
    BOOST_TEST((s.run != nullptr), s.name);
    BOOST_TEST(sim::find_strategy_preset(s.name) == nullptr, s.name);
  }
  BOOST_TEST(sim::reference_strategy().name == "ar");
  BOOST_TEST(!sim::reference_strategy().drafts);
}

BOOST_AUTO_TEST_CASE(traits_of_the_built_in_strategies) {
  using sim::Layout;
  BOOST_TEST((sim::find_strategy("packed").layout == Layout::packed));
  BOOST_TEST((sim::find_strategy("exspec").layout == Layout::padded));
  BOOST_TEST(sim::uses_window_pool(sim::find_strategy("exspec")));
  BOOST_TEST(!sim::batches_several(sim::find_strategy("spec1")));
  BOOST_TEST(sim::has_paper_realignment(sim::find_strategy("eqspec")));
  BOOST_TEST(!sim::has_paper_realignment(sim::find_strategy("rollback")));
  BOOST_TEST(sim::strategy_is("ar", sim::decodes_without_drafts));
  BOOST_TEST(!sim::strategy_is("no-such-strategy", sim::decodes_without_drafts));
  BOOST_TEST(sim::layout_name(Layout::padded) == std::string("padded"));
  BOOST_TEST(sim::layout_name(Layout::packed) == std::string("packed"));
}

BOOST_AUTO_TEST_CASE(presets_resolve_to_their_base_row) {
  for (const auto& p : sim::strategy_presets()) {
    BOOST_TEST(&sim::find_strategy(p.name) == &sim::find_strategy(p.base), p.name);
  }
}

BOOST_AUTO_TEST_CASE(unknown_names_are_input_errors_listing_the_known_ones) {
  BOOST_CHECK_EXCEPTION(sim::find_strategy("eqspex"), InputError, [](const InputError& e) {
    return message_has(e, "unknown strategy 'eqspex'") && message_has(e, "ar, spec1, eqspec") &&
           message_has(e, "bsp-like");
  });
  BOOST_TEST(sim::lookup_strategy("eqspex") == nullptr);
}

BOOST_AUTO_TEST_CASE(registration_rejects_bad_rows) {
  solo_packed();
  auto row = [](std::string name) {
    return sim::StrategyInfo{.name = std::move(name),
                             .description = "x",
                             .layout = sim::Layout::padded,
                             .drafts = false,
                             .admission = sim::Admission::static_batch,
                             .realignment = sim::Realignment::rollback,
                             .run = run_solo_packed};
  };
  const std::size_t before = sim::strategy_registry().size();
  BOOST_CHECK_EXCEPTION(sim::register_strategy(row("eqspec")), InputError,
                        [](const InputError& e) { return message_has(e, "'eqspec' is taken"); });
  BOOST_CHECK_EXCEPTION(sim::register_strategy(row("solo-packed")), InputError,
                        [](const InputError& e) { return message_has(e, "is taken"); });
  BOOST_CHECK_EXCEPTION(sim::register_strategy(row("dsd-like")), InputError,
                        [](const InputError& e) { return message_has(e, "is taken"); });
  BOOST_CHECK_THROW(sim::register_strategy(row("")), InputError);
  sim::StrategyInfo no_run = row("no-run");
  no_run.run = nullptr;
  BOOST_CHECK_EXCEPTION(sim::register_strategy(no_run), InputError,
                        [](const InputError& e) { return message_has(e, "no run function"); });
  BOOST_TEST(sim::strategy_registry().size() == before);
}

BOOST_AUTO_TEST_CASE(a_registered_strategy_runs_through_the_checker) {
  const sim::StrategyInfo& solo = solo_packed();
  BOOST_TEST(sim::strategy_names().back() == "solo-packed");
  sim::Scenario s = test::load_ready(test::source_path("scenarios/ragged_worst_case.json"));
  s.strategy = solo.name;
  BOOST_CHECK_NO_THROW(sim::validate_scenario(s));
  const verify::CheckedRun run = verify::run_checked(s, verify::CheckOptions{});
  BOOST_TEST(run.violation_count == 0);
  BOOST_TEST(run.equivalent_sequences == static_cast<int>(run.oracle.size()));
  BOOST_TEST(run.result.metrics.steps > 0);
  BOOST_TEST(run.result.metrics.draft_proposed > 0);
  BOOST_TEST(run.result.metrics.realign_moves == 0);
}

BOOST_AUTO_TEST_CASE(faults_reach_a_registered_strategy_through_its_traits) {
  const sim::StrategyInfo& solo = solo_packed();
  // One row at a time: nothing to pad, nothing to move, no batch-wide offset.
  BOOST_TEST(sim::fault_applies(sim::Fault::stale_kv_after_rejection, solo));
  BOOST_TEST(sim::fault_applies(sim::Fault::accept_first_rejected, solo));
  BOOST_TEST(!sim::fault_applies(sim::Fault::pads_visible, solo));
  BOOST_TEST(!sim::fault_applies(sim::Fault::uniform_kv_offset, solo));
  BOOST_TEST(!sim::fault_applies(sim::Fault::draft_cache_not_realigned, solo));
  // The KV-length hook of the shared round makes the fault real, and the checker sees it.
  sim::Scenario s = test::load_ready(test::source_path("scenarios/ragged_worst_case.json"));
  s.strategy = solo.name;
  s.faults = {"stale-kv-after-rejection"};
  const verify::CheckedRun run = verify::run_checked(s, verify::CheckOptions{});
  BOOST_TEST(run.violation_count > 0);
}
