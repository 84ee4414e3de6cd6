#include "sim/metrics.h"

namespace lockstep::sim {

std::vector<double> RunMetrics::position_acceptance() const {
  std::int64_t total = 0;
  for (auto count : accepted_length_histogram) total += count;
  std::vector<double> out;
  if (accepted_length_histogram.size() < 2 || total == 0) return out;
  // Position i is accepted in every round whose accepted length is at least i.
  std::int64_t at_least = total;
  for (std::size_t i = 1; i < accepted_length_histogram.size(); ++i) {
    at_least -= accepted_length_histogram[i - 1];
    out.push_back(static_cast<double>(at_least) / static_cast<double>(total));
  }
  return out;
}

}  // namespace lockstep::sim
