// In-process Graphviz rendering (see render.h). One GVC context serves every page and every
// Renderer (see shared_context for why it is never freed).
#include "viz/render.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include "sim/error.h"

namespace lockstep::viz {

namespace {

// Graphviz reports through a process-wide callback; it goes here instead of stderr so the
// messages can be attached to the exception or kept for tests. Graphviz itself is not
// thread-safe, so one buffer is enough.
std::string& messages() {
  static std::string buffer;
  return buffer;
}

int collect(char* message) {
  messages() += message;
  return 0;
}

}  // namespace

struct Renderer::Context {
  GVC_t* gvc = nullptr;
};

namespace {

// One GVC context for the whole process, never freed: Graphviz 2.43's pango plugin caches a
// pointer to the last font name in a static, and that name is freed with its context, so a
// second context would read freed memory (AddressSanitizer: heap-use-after-free in
// textspan_size). Loading the plugins once is also most of the cost of a small graph.
GVC_t* shared_context() {
  static GVC_t* const gvc = gvContext();
  return gvc;
}

}  // namespace

Renderer::Renderer() : context_(std::make_unique<Context>()) {
  context_->gvc = shared_context();
  require(context_->gvc != nullptr, "viz: Graphviz could not create a rendering context");
}

Renderer::~Renderer() = default;

void Renderer::render(const std::string& dot, const std::string& path, const std::string& format) {
  if (format != "svg" && format != "png")
    throw InputError("viz: format '" + format + "' is not one of svg, png");
  messages().clear();
  agseterrf(collect);
  agseterr(AGWARN);
  agreseterrors();
  Agraph_t* g = agmemread(dot.c_str());
  require(g != nullptr, [] {
    return "viz: the generated DOT does not parse (a bug in viz/dot_writer.cpp): " + messages();
  });
  if (gvLayout(context_->gvc, g, "dot") != 0) {
    agclose(g);
    throw ContractError("viz: Graphviz could not lay out the generated graph: " + messages());
  }
  const int rc = gvRenderFilename(context_->gvc, g, format.c_str(), path.c_str());
  gvFreeLayout(context_->gvc, g);
  agclose(g);
  diagnostics_ = messages();
  agseterrf(nullptr);
  require(agerrors() == 0, [&] {
    return "viz: Graphviz rejected the generated graph (a bug in viz/dot_writer.cpp): " +
           diagnostics_;
  });
  if (rc != 0) {
    throw InputError("viz: cannot render '" + path + "' (is the " + format +
                     " renderer of Graphviz installed, is the folder writable?)");
  }
}

}  // namespace lockstep::viz
