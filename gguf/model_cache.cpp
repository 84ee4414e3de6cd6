#include "gguf/model_cache.h"

#include <cstdlib>
#include <filesystem>

#include "sim/error.h"

namespace lockstep::gguf {
namespace {

bool is_model_name(const std::string& text) {
  if (text.empty() || text.front() == '.') return false;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string model_cache_dir() {
  if (const char* dir = std::getenv("LOCKSTEP_MODELS"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.cache/lockstep/models";
}

std::string cached_model_path(const std::string& name) {
  return model_cache_dir() + "/" + name + ".gguf";
}

std::string resolve_model(const std::string& name_or_path) {
  std::error_code error;
  if (std::filesystem::is_regular_file(name_or_path, error)) return name_or_path;
  if (!is_model_name(name_or_path)) {
    throw InputError("model '" + name_or_path + "': no such file, and not a model name");
  }
  const std::string path = cached_model_path(name_or_path);
  if (!std::filesystem::is_regular_file(path, error)) {
    throw InputError("model '" + name_or_path + "': not a file, and not in the model cache (" +
                     path + " is missing; fetch it with scripts/fetch-model.sh " + name_or_path +
                     ")");
  }
  return path;
}

}  // namespace lockstep::gguf
