// Metrics are defined once (sim/metrics.h); these tests pin each definition on scenarios
// whose acceptance pattern is scripted, so the expected figures follow from the script by
// hand. Traces: canonical lines (sorted keys, re-dump identical), the digest is FNV-1a of the
// non-timing lines, every line reads back through the one reader (sim/trace_reader.h) into
// a typed record that writes the same bytes, and a failed run never leaves a trace under
// the final name.
#define BOOST_TEST_MODULE metrics_and_trace
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include <unistd.h>

#include "sim/error.h"
#include "sim/hash.h"
#include "sim/metrics.h"
#include "sim/trace.h"
#include "sim/trace_reader.h"
#include "tests/test_support.h"
#include "verify/verify.h"

namespace lockstep {
namespace {

verify::CheckedRun run(const std::string& file, const std::string& strategy,
                       const std::string& trace = "", bool details = false) {
  sim::Scenario s = test::load_ready(test::source_path("scenarios/" + file));
  s.strategy = strategy;
  verify::CheckOptions options;
  options.trace_path = trace;
  options.trace_details = details;
  return verify::run_checked(s, options);
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

BOOST_AUTO_TEST_CASE(uniform_script_gives_exact_rates) {
  // Every round accepts 2 of k=4 drafts and commits 3 tokens; 20 new tokens per sequence
  // take 7 rounds (6 x 3 + 2, the last cut by max_new_tokens).
  const auto r = run("uniform_acceptance.json", "eqspec");
  const auto& m = r.result.metrics;
  BOOST_TEST(m.rounds == 4 * 7);
  BOOST_TEST(m.draft_proposed == 4 * 7 * 4);
  BOOST_TEST(m.draft_accepted == 4 * 7 * 2);
  BOOST_TEST(m.acceptance_rate() == 0.5);
  BOOST_TEST(m.generated_tokens == 4 * 20);
  BOOST_TEST(m.mean_tokens_per_step() == 80.0 / 28.0);
  BOOST_TEST(m.accepted_length_histogram == (std::vector<std::int64_t>{0, 0, 28, 0, 0}));
  BOOST_TEST(m.position_acceptance() == (std::vector<double>{1.0, 1.0, 0.0, 0.0}));
  // Equal acceptance keeps the rectangle: EQSPEC moves nothing when all prompts are
  // right-aligned from the start and advance equally.
  BOOST_TEST(m.realign_bytes == 0);
}

BOOST_AUTO_TEST_CASE(worst_case_raggedness_moves_seven_rows_per_step) {
  const auto r = run("ragged_worst_case.json", "eqspec");
  const auto& m = r.result.metrics;
  // Row 0 accepts 5 (6 tokens per round), rows 1-7 accept 0 (1 token per round).
  BOOST_TEST(m.accepted_length_histogram.front() > 0);
  BOOST_TEST(m.accepted_length_histogram.back() > 0);
  BOOST_TEST(m.realign_bytes > 0);
  // Every move is a whole row of one cache; moved bytes are slots x bytes per slot.
  const auto s = test::load_ready(test::source_path("scenarios/ragged_worst_case.json"));
  BOOST_TEST(m.realign_bytes % s.draft.model.kv_bytes_per_slot() == 0);
  // Rollback keeps min(a) = 0 drafts: one token per round for everyone, no moves.
  const auto rb = run("ragged_worst_case.json", "rollback");
  BOOST_TEST(rb.result.metrics.realign_bytes == 0);
  BOOST_TEST(rb.result.metrics.mean_tokens_per_step() == 1.0);
  // Packed never moves KV.
  BOOST_TEST(run("ragged_worst_case.json", "packed").result.metrics.realign_bytes == 0);
}

BOOST_AUTO_TEST_CASE(ar_generates_one_token_per_step_and_proposes_nothing) {
  const auto r = run("more_slots_than_prompts.json", "ar");
  BOOST_TEST(r.result.metrics.mean_tokens_per_step() == 1.0);
  BOOST_TEST(r.result.metrics.draft_proposed == 0);
  BOOST_TEST(r.result.metrics.acceptance_rate() == 0.0);
}

BOOST_AUTO_TEST_CASE(exspec_grouping_rate_is_grouped_over_all_steps) {
  const auto r = run("exspec_pool.json", "exspec");
  const auto& m = r.result.metrics;
  BOOST_TEST(m.grouped_steps > 0);
  BOOST_TEST(m.grouped_steps <= m.steps);
  BOOST_TEST(m.grouping_rate() ==
             static_cast<double>(m.grouped_steps) / static_cast<double>(m.steps));
}

BOOST_AUTO_TEST_CASE(trace_is_canonical_and_digest_is_fnv_of_non_timing_lines) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("lockstep_trace_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "t.jsonl").string();
  const auto r = run("ragged_worst_case.json", "eqspec", path);
  std::ifstream in(path);
  BOOST_TEST_REQUIRE(in.good());
  sim::Fnv1a fnv;
  std::string line;
  int lines = 0;
  int timing = 0;
  while (std::getline(in, line)) {
    ++lines;
    const auto record = nlohmann::json::parse(line);
    BOOST_TEST(record.dump() == line);  // sorted keys, compact: canonical
    if (record.at("event") == "timing") {
      ++timing;
      continue;
    }
    fnv.update(line);
    fnv.update("\n");
  }
  BOOST_TEST(lines > 10);
  BOOST_TEST(timing == 1);
  BOOST_TEST(fnv.value() == r.trace_digest);
  BOOST_TEST(!std::filesystem::exists(path + ".partial"));
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(every_record_reads_back_to_the_bytes_it_was_written_as) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("lockstep_trace3_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (const char* strategy : {"eqspec", "packed", "exspec", "rollback"}) {
    const std::string path = (dir / (std::string(strategy) + ".jsonl")).string();
    const auto file =
        std::string(strategy) == "exspec" ? "exspec_pool.json" : "ragged_worst_case.json";
    run(file, strategy, path, /*details=*/true);
    const auto lines = lines_of(path);
    const auto trace = sim::trace::read_trace_file(path);
    BOOST_TEST(trace.closed);
    BOOST_TEST_REQUIRE(trace.records.size() == lines.size());
    std::set<std::string> events;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      BOOST_TEST(sim::trace::to_json(trace.records[i]).dump() == lines[i]);
      BOOST_TEST(sim::trace::record_line(trace.records[i]) == static_cast<int>(i) + 1);
      events.insert(sim::trace::event_name(trace.records[i]));
    }
    // Every kind a clean run writes, detail records included.
    for (const char* e : {"run", "cache", "pass", "detail", "verify", "state", "finish", "timing"})
      BOOST_TEST(events.count(e) == 1u, strategy << " trace has no " << e << " record");
  }
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(the_reader_names_what_breaks_the_schema) {
  const std::string run_line = sim::trace::to_json(sim::trace::RunRecord{.scenario = "s"}).dump();
  const std::string crop =
      R"({"cache":0,"event":"detail","from":2,"row":1,"step":1,"what":"crop"})";
  const std::string timing =
      sim::trace::to_json(sim::trace::TimingRecord{.backend = "symbolic"}).dump();
  auto error_of = [&](const std::string& line) {
    try {
      sim::trace::read_trace_text(run_line + "\n" + line + "\n", "t.jsonl");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  BOOST_TEST(error_of(crop) == "accepted");
  BOOST_TEST(
      error_of(R"({"cache":0,"event":"detail","from":2,"row":1,"step":1,"what":"crop","x":1})") ==
      "t.jsonl: line 2: unknown field 'x'");
  BOOST_TEST(error_of(R"({"event":"detail","what":"tensor","step":1})") ==
             "t.jsonl: line 2: field 'what' must be \"pass\", \"crop\", \"divergence\" or "
             "\"sample\", got \"tensor\"");
  // A coupled run's "sample" detail record (issue 14 item 5): written, read back, checked.
  const sim::trace::DetailSampleRecord sample{
      .step = 2, .seq = 1, .position = 5, .token = 7, .weight = 3, .total = 10, .draft = 9};
  BOOST_TEST(error_of(sim::trace::to_json(sample).dump()) == "accepted");
  BOOST_TEST(!sim::trace::in_digest(sample));
  BOOST_TEST(error_of(R"({"draft":null,"draft_weight":0,"event":"detail","position":5,"seq":1,)"
                      R"("step":2,"token":7,"total":10,"weight":11,"what":"sample"})") ==
             "t.jsonl: line 2: field 'weight' and 'draft_weight' must not exceed the positive "
             "'total'");
  BOOST_TEST(error_of(R"({"draft":null,"draft_weight":4,"event":"detail","position":5,"seq":1,)"
                      R"("step":2,"token":7,"total":10,"weight":3,"what":"sample"})") ==
             "t.jsonl: line 2: field 'draft_weight' must be 0 when there is no draft");
  BOOST_TEST(error_of(timing + "\n" + crop) ==
             "t.jsonl: line 3: a record after the closing 'timing' record");
  BOOST_TEST(error_of(R"({"event":"moves","step":1,"model":"target","src":0,"dst":0,"bytes":0,)"
                      R"("moves":[[0,1,2,3]]})")
                 .find("line 2: field 'moves[0]' must be [src_row, src_slot, dst_row, dst_slot, "
                       "length]") == 0u + std::string("t.jsonl: ").size());
  const auto closed = sim::trace::read_trace_text(run_line + "\n" + timing + "\n", "t.jsonl");
  BOOST_TEST(closed.closed);
  BOOST_TEST(closed.run().scenario == "s");
}

BOOST_AUTO_TEST_CASE(unfinished_trace_is_not_published) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("lockstep_trace2_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "t.jsonl").string();
  {
    sim::TraceWriter writer(path);
    writer.record(sim::trace::RunRecord{.scenario = "unfinished"});
    // destroyed without close(): a failed run
  }
  BOOST_TEST(!std::filesystem::exists(path));
  BOOST_TEST(!std::filesystem::exists(path + ".partial"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lockstep
