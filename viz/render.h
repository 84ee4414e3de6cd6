// Renders DOT text to a file with Graphviz's own libraries (cgraph + gvc) in this process:
// no `dot` executable is needed or run.
#pragma once

#include <memory>
#include <string>

namespace lockstep::viz {

class Renderer {
 public:
  Renderer();
  ~Renderer();
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  // `format` is "svg" or "png". Throws lockstep::InputError if the file cannot be written
  // and lockstep::ContractError if the DOT does not parse (a bug in the DOT writer).
  void render(const std::string& dot, const std::string& path, const std::string& format);
  // Graphviz's warnings about the last render (empty when the DOT was clean): a port the
  // DOT names but no cell carries, a label that does not parse. Tests require it empty.
  const std::string& diagnostics() const { return diagnostics_; }

 private:
  struct Context;
  std::unique_ptr<Context> context_;
  std::string diagnostics_;
};

}  // namespace lockstep::viz
