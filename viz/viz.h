// viz/: Graphviz pictures of a lockstep trace (DESIGN §7).
//
// Offers: render_trace (a trace written with --trace-details -> one SVG or PNG per step plus
// index.html), and the stages it is built from, for tests and tools:
//   read_trace_file                (viz/trace_events.h)  typed records, errors name the line
//   build_step_views               (viz/step_view.h)     per-step cells classified by kind
//   add_sampling                   (viz/step_sampling.h) judged drafts of a sampled step
//   step_dot                       (viz/dot_writer.h)    DOT text of one step
//   Renderer                       (viz/render.h)        DOT -> file through libgvc in-process
//   index_html                     (viz/index_html.h)    the static index page
// Every error about the input is a lockstep::InputError naming the file, line and field.
#pragma once

#include <string>
#include <vector>

#include "sim/token_text.h"
#include "viz/dot_writer.h"
#include "viz/index_html.h"
#include "viz/render.h"
#include "viz/step_view.h"
#include "viz/trace_events.h"

namespace lockstep::viz {

struct VizOptions {
  std::string out_dir;
  int first_step = 1;
  int last_step = -1;          // -1: through the last step
  std::string format = "svg";  // "svg" | "png"
  // The tokens' text (not owned; null: the pictures show ids and positions only).
  const sim::TokenText* text = nullptr;
};

struct VizResult {
  std::vector<std::string> files;  // one per step, inside out_dir
  std::string index_path;
  int steps = 0;
  bool violation = false;  // the trace records at least one violation
};

// Creates out_dir if needed; files are step-NNN.<format> and index.html.
VizResult render_trace(const std::string& trace_path, const VizOptions& options);

// Parses "A..B", "A.." , "..B" or "A" (1-based, inclusive) into first/last of `options`.
// Throws lockstep::InputError naming `option` when it does not parse.
void parse_step_range(const std::string& text, const std::string& option, VizOptions& options);

}  // namespace lockstep::viz
