// Run metrics, each defined once (DESIGN §4):
//   acceptance rate      = draft_accepted / draft_proposed        (bonus token excluded)
//   mean tokens per step = generated_tokens / sum of per-sequence verify rounds (bonus in)
//   grouping rate        = grouped_steps / steps                  (exspec)
//   realignment share    = realign seconds / all stage seconds
// draft_accepted counts the verifier's accepted prefix length a of each round, before EOS,
// max_new_tokens or a rollback strategy discards any of it; generated_tokens counts what was
// committed.
#pragma once

#include <cstdint>
#include <vector>

namespace lockstep::sim {

struct StageSeconds {
  double draft = 0;
  double verify = 0;
  double realign = 0;
  double prefill = 0;
  double other = 0;
  double total() const { return draft + verify + realign + prefill + other; }
};

struct RunMetrics {
  std::int64_t steps = 0;   // verify passes (each is one controller step)
  std::int64_t rounds = 0;  // sequence-rounds: sum over steps of rows verified
  std::int64_t generated_tokens = 0;
  std::int64_t draft_proposed = 0;
  std::int64_t draft_accepted = 0;
  std::int64_t realign_bytes = 0;  // KV bytes moved by realignment plans, all caches
  std::int64_t realign_moves = 0;
  std::int64_t grouped_steps = 0;  // exspec: steps served by a same-length group
  std::int64_t forward_passes = 0;
  std::vector<std::int64_t> accepted_length_histogram;  // [k + 1]: rounds with a accepted
  StageSeconds seconds;

  double acceptance_rate() const {
    return draft_proposed == 0
               ? 0.0
               : static_cast<double>(draft_accepted) / static_cast<double>(draft_proposed);
  }
  double mean_tokens_per_step() const {
    return rounds == 0 ? 0.0 : static_cast<double>(generated_tokens) / static_cast<double>(rounds);
  }
  double grouping_rate() const {
    return steps == 0 ? 0.0 : static_cast<double>(grouped_steps) / static_cast<double>(steps);
  }
  double realign_share() const {
    const double total = seconds.total();
    return total == 0 ? 0.0 : seconds.realign / total;
  }
  // Fraction of rounds in which draft position i (1-based) was accepted.
  std::vector<double> position_acceptance() const;
};

}  // namespace lockstep::sim
