// `lockstep viz`: render a trace (written with --trace-details) as one Graphviz picture per
// step plus index.html. Also offers render_for_run, used by `lockstep run --viz DIR`.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "sim/token_text.h"

namespace lockstep::cli {

// Adds the subcommand to `app`; its callback stores the exit status in `exit_code`
// (0 rendered; bad input throws lockstep::InputError, which main maps to 2).
void add_viz_command(CLI::App& app, int& exit_code);

// A unique file name in the system's temporary folder for the detailed trace that
// `run --viz` writes when no --trace was given; the file is removed on destruction.
class TemporaryTrace {
 public:
  TemporaryTrace();
  ~TemporaryTrace();
  TemporaryTrace(const TemporaryTrace&) = delete;
  TemporaryTrace& operator=(const TemporaryTrace&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Renders every step of `trace_path` into `out_dir` (SVG) and prints where index.html is;
// `text` (may be null: ids only) puts the tokens' text in the pictures.
void render_for_run(const std::string& trace_path, const std::string& out_dir,
                    const sim::TokenText* text);

}  // namespace lockstep::cli
