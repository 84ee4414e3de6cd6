// Builds index.html (see index_html.h).
#include "viz/index_html.h"

#include <filesystem>
#include <sstream>

#include "viz/dot_writer.h"

namespace lockstep::viz {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

// Only the file name: the page may be moved, and a temporary trace (run --viz) is gone.
std::string fs_name(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

}  // namespace

std::string step_numbers(const StepView& v) {
  std::ostringstream o;
  o << "accepted per row:";
  if (v.grid.empty()) o << " -";
  for (const auto& g : v.grid) o << ' ' << g.accepted;
  o << " | realign bytes: " << v.realign_bytes;
  if (v.violations_here > 0) o << " | violations: " << v.violations_here;
  return o.str();
}

std::string index_html(const std::vector<StepView>& views, const std::vector<std::string>& files) {
  std::ostringstream o;
  const RunInfo run = views.empty() ? RunInfo{} : views.front().run;
  o << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>lockstep: "
    << escape(run.scenario) << "</title>\n<style>\n"
    << "body{font-family:Helvetica,Arial,sans-serif;margin:1.5em;color:#222}\n"
    << "li{margin:.2em 0} .bad{color:#d62728;font-weight:bold} img{max-width:100%;border:1px solid "
       "#ccc}\n"
    << "code{font-size:95%} .key span{display:inline-block;padding:0 "
       ".5em;margin-right:.3em;border:1px solid #999}\n"
    << "</style>\n</head>\n<body>\n<h1>lockstep: " << escape(run.scenario)
    << "</h1>\n<p>strategy <b>" << escape(run.strategy) << "</b>, batch " << run.batch_size
    << ", k " << run.k;
  if (!views.empty())
    o << ", " << views.front().last_step << " steps; trace <code>"
      << escape(fs_name(views.front().trace_name)) << "</code>";
  o << "</p>\n<p class=\"key\">";
  for (CellKind k : {CellKind::pad, CellKind::prompt, CellKind::committed, CellKind::accepted,
                     CellKind::rejected, CellKind::bonus}) {
    o << "<span style=\"background:" << kind_color(k) << "\">" << kind_name(k) << "</span>";
  }
  o << "</p>\n";
  for (const auto& v : views) {
    if (v.violation) {
      o << "<p class=\"bad\">First violation: " << escape(v.violation->invariant) << " at step "
        << v.violation->step << " (row " << v.violation->row << ", slot " << v.violation->slot
        << "): " << escape(v.violation->detail) << " - <a href=\"#step" << v.step << "\">see step "
        << v.step << "</a></p>\n";
    }
  }
  o << "<ol>\n";
  for (std::size_t i = 0; i < views.size(); ++i) {
    o << "<li value=\"" << views[i].step << "\"><a href=\"#step" << views[i].step << "\">step "
      << views[i].step << "</a>: <code" << (views[i].violations_here > 0 ? " class=\"bad\"" : "")
      << ">" << escape(step_numbers(views[i])) << "</code></li>\n";
  }
  o << "</ol>\n";
  for (std::size_t i = 0; i < views.size(); ++i) {
    o << "<h2 id=\"step" << views[i].step << "\">step " << views[i].step << "</h2>\n<p><code>"
      << escape(step_numbers(views[i])) << "</code></p>\n<p><a href=\"" << escape(files[i])
      << "\"><img src=\"" << escape(files[i]) << "\" alt=\"step " << views[i].step
      << "\"></a></p>\n";
  }
  o << "</body>\n</html>\n";
  return o.str();
}

}  // namespace lockstep::viz
