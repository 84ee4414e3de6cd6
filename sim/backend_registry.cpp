#include <map>

#include "sim/backend.h"
#include "sim/error.h"
#include "sim/symbolic_backend.h"

namespace lockstep::sim {
namespace {

std::map<std::string, BackendFactory>& registry() {
  static std::map<std::string, BackendFactory> table = {
      {"symbolic", [] { return std::make_unique<SymbolicBackend>(); }},
  };
  return table;
}

}  // namespace

void register_backend(const std::string& name, BackendFactory factory) {
  registry()[name] = std::move(factory);
}

std::unique_ptr<Backend> make_backend(const std::string& name) {
  auto it = registry().find(name);
  if (it == registry().end()) {
    std::string known;
    for (const auto& n : backend_names()) known += (known.empty() ? "" : ", ") + n;
    throw InputError("unknown backend '" + name + "' (available in this build: " + known + ")");
  }
  return it->second();
}

std::vector<std::string> backend_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : registry()) names.push_back(name);
  return names;
}

}  // namespace lockstep::sim
