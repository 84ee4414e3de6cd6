// `lockstep viz` and the rendering step of `lockstep run --viz` (see viz_command.h): thin
// wrappers over viz::render_trace; every input error surfaces as lockstep::InputError
// (exit 2 in main) with the trace's line and field.
#include "cli/viz_command.h"

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>

#include <fmt/core.h>

#include "cli/token_text_source.h"
#include "sim/error.h"
#include "viz/viz.h"

namespace lockstep::cli {
namespace {

struct VizArgs {
  std::string trace_path, out_dir, steps, format = "svg";
  std::string text;  // --text SOURCE; empty: ids only, as before
};

}  // namespace

TemporaryTrace::TemporaryTrace() {
  // mkstemp reserves the name atomically; the trace writer then writes PATH.partial and
  // renames it onto PATH.
  std::string pattern = (std::filesystem::temp_directory_path() / "lockstep-viz-XXXXXX").string();
  const int fd = mkstemp(pattern.data());
  if (fd < 0) throw InputError("cannot create a temporary trace file for --viz");
  close(fd);
  path_ = pattern;
}

TemporaryTrace::~TemporaryTrace() {
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
  std::filesystem::remove(path_ + ".partial", ignored);
}

void render_for_run(const std::string& trace_path, const std::string& out_dir,
                    const sim::TokenText* text) {
  viz::VizOptions options;
  options.out_dir = out_dir;
  options.text = text;
  const viz::VizResult r = viz::render_trace(trace_path, options);
  fmt::print("  pictures       {} steps rendered; open {}\n", r.steps, r.index_path);
}

void add_viz_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<VizArgs>();
  CLI::App* viz =
      app.add_subcommand("viz", "Render a trace as one Graphviz picture per step, plus index.html");
  viz->footer(
      "The trace must carry detail records: lockstep run SCENARIO --trace FILE --trace-details\n"
      "(or let `lockstep run ... --viz DIR` do both). Each picture shows the batch grid of the\n"
      "verify pass, the KV slot maps of the target and draft caches with their provenance, the\n"
      "realignment moves as arrows, the EXSPEC pool, and the first violated invariant in red;\n"
      "for a sampled run, each judged draft with p(d) (and q(d) under rejection) and the token\n"
      "drawn after the accepted drafts with its probability and source.\n"
      "With --text the cells carry their tokens' text (tooltips, and in the grid where it fits)\n"
      "and each row's drafted, accepted and rejected tokens read as text; `lockstep run --viz`\n"
      "takes the scenario's own text.\n"
      "Exit status: 0 rendered; 2 bad input (the message names the line and field).\n"
      "Example: lockstep viz t.jsonl --out t-viz --steps 1..5 --format png");
  viz->add_option("TRACE", args->trace_path, "Trace file written with --trace-details")->required();
  viz->add_option("--out", args->out_dir, "Folder for the pictures and index.html")->required();
  viz->add_option("--steps", args->steps, "Only steps A..B (1-based, inclusive; A.. or ..B too)");
  viz->add_option("--format", args->format, "svg (default) or png")
      ->check(CLI::IsMember({"svg", "png"}));
  viz->add_option("--text", args->text,
                  "Show tokens as text: bytes (byte-level, generated models), ids, or a GGUF "
                  "model name or path whose tokenizer wrote the trace");
  viz->callback([args, &exit_code] {
    viz::VizOptions options;
    options.out_dir = args->out_dir;
    options.format = args->format;
    if (!args->steps.empty()) viz::parse_step_range(args->steps, "--steps", options);
    std::optional<sim::TokenText> text;
    if (!args->text.empty()) options.text = &text.emplace(text_from_option(args->text));
    const viz::VizResult r = viz::render_trace(args->trace_path, options);
    fmt::print("lockstep viz: {} steps rendered to {}; open {}\n", r.steps, args->out_dir,
               r.index_path);
    if (r.violation) fmt::print("  the trace records a violation: see index.html\n");
    exit_code = 0;
  });
}

}  // namespace lockstep::cli
