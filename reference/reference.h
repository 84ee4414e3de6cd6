// reference/: the CPU reference transformer, the definition of lockstep's numerics.
//   numerics.h     elementwise functions shared with the CUDA runtime (host/device)
//   weights.h      counter-based synthetic weights, shared tensors
//   pass_plan.h    a batch as per-token write slots and visible slots (shared with gpu/)
//   host_math.h    gains, RoPE tables, score scale, argmax and logits digest (shared with gpu/)
//   model.h        the exact Llama-style decoder
//   cpu_backend.h  sim::Backend on it (`--backend cpu`); call register_cpu_backend() once
#pragma once

#include "reference/cpu_backend.h"
#include "reference/model.h"
#include "reference/numerics.h"
#include "reference/weights.h"
