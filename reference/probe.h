// Probes of this machine for the cost model's `cpu` profile (`lockstep calibrate --probe`,
// docs/cost-model.md, "The cpu profile").
//
// Contract: measures, on the calling thread alone (the reference's worker threads set to 1 for
// the duration, then restored) with medians of a few repeats of the thread's CPU time,
// (1) streaming read bandwidth far past the caches (for the int8 kernel, its own one-row
// product over 1-byte weights; for Eigen's kernels, a read of doubles), (2) the GEMM rate of the
// very product the reference runs for every projection (exact_gemm with the kernel in use,
// reference/gemm_kernels.h, against a WeightStore matrix), at the `small` preset's shapes,
// (3) the rate of the reference's scalar attention loops, from two Model::forward passes that
// differ only in how many KV slots they attend, (4) the fixed cost of a minimal Model::forward
// pass, and (5) the cost of one of the kernel's extra walks over the weights
// (sim::weight_passes: Eigen's packing, the int8 kernel's per-block walks), fitted over 1..8-row
// products on a weight matrix of a `small` target's size. It records the kernel it measured
// (effective_gemm_kernel), so the profile prices that kernel only. Every figure is a
// positive finite number; none is asserted against any expected value. It decides nothing:
// the fit (sim/cost_calibrate.h) scales each term to measured passes.
#pragma once

#include <cstddef>
#include <vector>

#include "sim/cost_cpu.h"

namespace lockstep::reference {

struct ProbeOptions {
  std::size_t stream_bytes = std::size_t{256} << 20;  // >> any L3 of this class of machine
  int repeats = 5;
  int attention_slots = 2048;  // KV slots the long attention pass attends
};

struct GemmSample {
  int rows = 0;  // tokens of the pass
  int k = 0;     // reduction width
  int n = 0;     // output channels
  double ops_per_second = 0;
};

struct ProbeReport {
  sim::CpuProbe probe;
  std::vector<GemmSample> gemm;  // the shapes behind probe.gemm_ops (their median)
};

// Throws InputError on options that cannot measure anything (zero bytes or repeats).
ProbeReport run_probe(const ProbeOptions& options = {});

}  // namespace lockstep::reference
