// The GGUF module's public surface in one include: File (header, metadata, tensor infos,
// mmap), dequantize (F32, F16, BF16, Q8_0, Q4_0, Q4_1) and llama_hparams. Errors are
// lockstep::InputError (sim/error.h), whose message names the origin and the field.
#pragma once

#include "gguf/dequantize.h"
#include "gguf/file.h"
#include "gguf/llama.h"
#include "gguf/tensor_type.h"
#include "gguf/value.h"
