// Where lockstep keeps model files, and how a model argument (a name in the cache or a path)
// becomes a path. The cache is $LOCKSTEP_MODELS, or ~/.cache/lockstep/models; a model named N
// is the file <cache>/N.gguf, put there by scripts/fetch-model.sh. Does not download anything.
#pragma once

#include <string>

namespace lockstep::gguf {

// $LOCKSTEP_MODELS, else $HOME/.cache/lockstep/models (no check that it exists).
std::string model_cache_dir();

// The path of the cached model `name` (whether or not the file is there).
std::string cached_model_path(const std::string& name);

// `name_or_path` as a path: an existing file is taken as is; otherwise a name of the cache
// (letters, digits, '-', '_', '.'), which must be there. Throws InputError saying where it
// looked and how to fetch the model.
std::string resolve_model(const std::string& name_or_path);

}  // namespace lockstep::gguf
