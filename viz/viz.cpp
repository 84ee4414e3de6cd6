// render_trace: reads the trace, builds the step views, renders each page and the index.
#include "viz/viz.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "sim/error.h"

namespace lockstep::viz {
namespace {

int parse_step(const std::string& text, const std::string& option, const std::string& whole) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
    throw InputError(option + " '" + whole +
                     "': expected A..B with step numbers A <= B (e.g. 3..7)");
  return std::stoi(text);
}

}  // namespace

void parse_step_range(const std::string& text, const std::string& option, VizOptions& options) {
  const auto dots = text.find("..");
  if (dots == std::string::npos) {
    options.first_step = options.last_step = parse_step(text, option, text);
  } else {
    const std::string a = text.substr(0, dots), b = text.substr(dots + 2);
    options.first_step = a.empty() ? 1 : parse_step(a, option, text);
    options.last_step = b.empty() ? -1 : parse_step(b, option, text);
  }
  if (options.first_step < 1 || (options.last_step >= 0 && options.last_step < options.first_step))
    throw InputError(option + " '" + text + "': steps start at 1 and A must not exceed B");
}

VizResult render_trace(const std::string& trace_path, const VizOptions& options) {
  if (options.format != "svg" && options.format != "png")
    throw InputError("--format '" + options.format + "': expected svg or png");
  const Trace trace = read_trace_file(trace_path);
  const std::vector<StepView> views =
      build_step_views(trace, options.first_step, options.last_step);
  if (views.empty()) {
    throw InputError(trace_path + ": no step in the requested range (the trace has " +
                     std::to_string(trace.last_step) + " steps)");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) throw InputError("cannot create folder '" + options.out_dir + "': " + ec.message());
  Renderer renderer;
  VizResult result;
  std::vector<std::string> names;
  for (const auto& v : views) {
    char name[32];
    std::snprintf(name, sizeof name, "step-%03d.%s", v.step, options.format.c_str());
    const std::string path = (std::filesystem::path(options.out_dir) / name).string();
    renderer.render(step_dot(v, options.text), path, options.format);
    names.emplace_back(name);
    result.files.push_back(path);
  }
  result.index_path = (std::filesystem::path(options.out_dir) / "index.html").string();
  std::ofstream page(result.index_path, std::ios::binary | std::ios::trunc);
  page << index_html(views, names);
  if (!page.flush()) throw InputError("cannot write '" + result.index_path + "'");
  result.steps = static_cast<int>(views.size());
  result.violation = !trace.violations.empty();
  return result;
}

}  // namespace lockstep::viz
