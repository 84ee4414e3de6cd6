// A pass plan on the device: gpu/plan.h's packed buffer uploaded in one copy, and pointers to
// each of its parts. Shared by the exact forward (gpu/gpu_backend.cpp) and the float profiles
// (gpu/float_forward.cpp). Host code; the pointers are valid until `device` is next grown.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include <cuda_runtime_api.h>

#include "gpu/device_buffer.h"
#include "gpu/plan.h"

namespace lockstep::gpu {

struct PlanOnDevice {
  const std::int32_t *tokens, *positions, *rows, *write_slots, *offsets, *visible;
  int max_visible;  // at least 1 (a scratch row per query)
};

inline PlanOnDevice upload_plan(const TokenPlan& plan, std::vector<std::int32_t>& host,
                                DeviceBuffer<std::int32_t>& device, cudaStream_t stream) {
  const PlanLayout layout = pack_plan(plan, host);
  device.upload(host, stream);
  const std::int32_t* base = device.get();
  return PlanOnDevice{.tokens = base + layout.tokens,
                      .positions = base + layout.positions,
                      .rows = base + layout.rows,
                      .write_slots = base + layout.write_slots,
                      .offsets = base + layout.visible_offsets,
                      .visible = base + layout.visible,
                      .max_visible = std::max(1, plan.max_visible())};
}

}  // namespace lockstep::gpu
