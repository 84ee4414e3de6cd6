// reference/: the CPU reference transformer (on Eigen), the definition of lockstep's numerics.
//   weights.h      the shared generator's tensors as Eigen matrices, shared by key
//   ops.h          the forward pass as ops, one per gpu kernel file, same names
//   model.h        the exact Llama-style decoder, a sequence of ops
//   cpu_backend.h  sim::Backend on it (`--backend cpu`); call register_cpu_backend() once
// What both runtimes share (elementwise numerics, host math, the pass plan, tensor ids, model
// validation, the weight generator) lives in numerics/ (lockstep_numerics).
#pragma once

#include "numerics/numerics.h"
#include "reference/cpu_backend.h"
#include "reference/model.h"
#include "reference/ops.h"
#include "reference/weights.h"
