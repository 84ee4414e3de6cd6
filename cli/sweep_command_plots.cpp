// The sweep's three plots as gnuplot data files plus one script, rendered to SVG and PNG:
//   throughput.*       predicted tokens/s vs batch size, one line per strategy (and eqspec
//                      with the published realignment), at the first cost spec, the k
//                      closest to 5 and the first p;
//   realign_share.*    predicted realignment share of step time vs batch size, same lines;
//   tokens_per_step.*  mean tokens per step (counted in the runs) vs k, one line per
//                      strategy, at the batch size closest to 8 and the first p.
// The script stays beside the pictures so they can be re-rendered or restyled by hand.
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include <fmt/core.h>

#include "cli/sweep_command.h"

namespace lockstep::cli {
namespace {

struct Series {
  std::string label;
  std::string file;
  std::vector<std::pair<double, double>> points;
};

std::string series_label(const sim::SweepRow& r) {
  return r.mode == sim::RealignMode::paper ? r.point.strategy + " (published realign)"
                                           : r.point.strategy;
}

std::string file_stem(std::string label) {
  for (auto& c : label) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return label;
}

void write_series(const std::string& dir, const std::string& plot, std::vector<Series>& series) {
  for (auto& s : series) {
    s.file = plot + "_" + file_stem(s.label) + ".dat";
    std::ofstream out(dir + "/" + s.file);
    for (const auto& [x, y] : s.points) out << fmt::format("{:.6g} {:.6g}\n", x, y);
  }
}

std::string plot_block(const std::string& name, const std::string& title, const std::string& xlabel,
                       const std::string& ylabel, bool logx, const std::vector<Series>& series,
                       const std::string& caption) {
  std::string body;
  body += fmt::format("set title \"{}\" noenhanced\n", title);
  body += fmt::format("set xlabel \"{}\"\nset ylabel \"{}\"\n", xlabel, ylabel);
  body += logx ? "set logscale x 2\n" : "unset logscale x\n";
  // The caption sits below the x label: every picture says it is a prediction and how it was made.
  body += "set bmargin 8\n";
  body += fmt::format("set label 1 \"{}\" at screen 0.01,0.09 font \",8\" noenhanced\n", caption);
  std::string plot = "plot ";
  for (std::size_t i = 0; i < series.size(); ++i) {
    plot += fmt::format("{}\"{}\" using 1:2 with linespoints lw 2 title \"{}\"", i ? ", " : "",
                        series[i].file, series[i].label);
  }
  std::string out;
  out += "set terminal svg size 900,560 dynamic font \"sans,12\"\n";
  out += fmt::format("set output \"{}.svg\"\n", name) + body + plot + "\n";
  out += "set terminal pngcairo size 900,560 font \"sans,11\"\n";
  out += fmt::format("set output \"{}.png\"\n", name) + body + plot + "\n";
  return out;
}

// Where the plots cut the grid: the first cost spec and p, the k closest to 5 and the batch
// size closest to 8 (the paper's defaults).
struct PlotCut {
  std::string cost;
  int k = 0;
  double p = 0;
  int batch = 0;
};

PlotCut plot_cut(const sim::SweepGrid& grid) {
  PlotCut cut;
  cut.cost = sim::parse_cost_spec(grid.costs.front()).spec();
  cut.k = grid.ks.front();
  for (int k : grid.ks) {
    if (std::abs(k - 5) < std::abs(cut.k - 5)) cut.k = k;
  }
  cut.p = grid.accept_probs.front();
  cut.batch = grid.batch_sizes.front();
  for (int b : grid.batch_sizes) {
    if (std::abs(b - 8) < std::abs(cut.batch - 8)) cut.batch = b;
  }
  return cut;
}

struct PlotSeries {
  std::vector<Series> throughput, realign_share, tokens_per_step;
};

// The three plots' lines, in the order their labels first appear in the rows.
PlotSeries collect_series(const std::vector<sim::SweepRow>& rows, const PlotCut& cut) {
  std::map<std::string, Series> by_batch_tps, by_batch_share, by_k;
  std::vector<std::string> order;
  for (const auto& r : rows) {
    if (r.cost != cut.cost || r.point.accept_prob != cut.p) continue;
    const std::string label = series_label(r);
    if (r.point.k == cut.k || r.point.k == 0) {
      if (!by_batch_tps.count(label)) order.push_back(label);
      by_batch_tps[label].label = label;
      by_batch_tps[label].points.push_back({r.point.batch_size, r.tokens_per_second});
      by_batch_share[label].label = label;
      by_batch_share[label].points.push_back({r.point.batch_size, 100.0 * r.realign_share});
    }
    if (r.point.batch_size == cut.batch && r.mode == sim::RealignMode::inplace && r.point.k > 0) {
      by_k[label].label = label;
      by_k[label].points.push_back({r.point.k, r.mean_tokens_per_step});
    }
  }
  auto ordered = [&](std::map<std::string, Series>& m) {
    std::vector<Series> out;
    for (const auto& l : order) {
      if (m.count(l)) out.push_back(m[l]);
    }
    return out;
  };
  return {ordered(by_batch_tps), ordered(by_batch_share), ordered(by_k)};
}

// Wrapped at spaces so the whole command fits under the plot (gnuplot reads \\n as a break).
std::string wrap_caption(const std::string& command_line) {
  std::string caption;
  std::size_t line = 0;
  for (std::size_t start = 0; start < command_line.size();) {
    auto end = command_line.find(' ', start);
    if (end == std::string::npos) end = command_line.size();
    const std::string word = command_line.substr(start, end - start);
    if (line > 0 && line + word.size() > 140) {
      caption += "\\n";
      line = 0;
    }
    caption += (line > 0 ? " " : "") + word;
    line += word.size() + 1;
    start = end + 1;
  }
  return "Prediction of the cost model (docs/cost-model.md), made by:\\n" + caption;
}

std::string plots_script(const PlotCut& cut, const PlotSeries& series, bool several_k,
                         const std::string& caption) {
  std::string script = "# Generated by lockstep sweep; render with: gnuplot plots.gp\n";
  script += "set key top left\nset grid\n";
  script += plot_block("throughput",
                       fmt::format("Predicted throughput, {}, k={}, p={}", cut.cost, cut.k, cut.p),
                       "batch size", "predicted tokens/s", true, series.throughput, caption);
  script += plot_block("realign_share",
                       fmt::format("Predicted realignment share of step time, {}, k={}, p={}",
                                   cut.cost, cut.k, cut.p),
                       "batch size", "realignment, % of predicted time", true, series.realign_share,
                       caption);
  // One k value gives a single point: no line to draw.
  if (!series.tokens_per_step.empty() && several_k) {
    script += plot_block("tokens_per_step",
                         fmt::format("Mean tokens per step vs k, batch {}, p={}", cut.batch, cut.p),
                         "k (draft tokens per round)", "tokens per step per sequence", false,
                         series.tokens_per_step, caption);
  }
  return script;
}

}  // namespace

bool write_sweep_plots(const sim::SweepGrid& grid, const std::vector<sim::SweepRow>& rows,
                       const std::string& dir, const std::string& command_line) {
  std::filesystem::create_directories(dir);
  const PlotCut cut = plot_cut(grid);
  PlotSeries series = collect_series(rows, cut);
  write_series(dir, "throughput", series.throughput);
  write_series(dir, "realign_share", series.realign_share);
  write_series(dir, "tokens_per_step", series.tokens_per_step);
  {
    std::ofstream out(dir + "/plots.gp");
    out << plots_script(cut, series, grid.ks.size() > 1, wrap_caption(command_line));
  }
  const std::string command = "cd '" + dir + "' && gnuplot plots.gp";
  if (std::system(command.c_str()) != 0) {
    std::cerr << "lockstep sweep: gnuplot failed or is not installed (Debian: gnuplot-nox); "
                 "the data and plots.gp are in "
              << dir << "\n";
    return false;
  }
  std::cerr << "sweep: plots written to " << dir << " (throughput, realign_share"
            << (grid.ks.size() > 1 ? ", tokens_per_step" : "") << "; .svg and .png)\n";
  return true;
}

}  // namespace lockstep::cli
