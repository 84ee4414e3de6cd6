// The bench's pictures as gnuplot data blocks inside one script per picture, so a picture can
// be re-rendered or restyled by hand from the folder alone.
#include <cstdlib>
#include <fstream>
#include <map>

#include <fmt/core.h>

#include "cli/bench_command.h"
#include "cli/output.h"

namespace lockstep::cli {
namespace {

std::string terminal_lines(const std::string& stem) {
  return fmt::format(
      "set terminal pngcairo size 960,600 noenhanced\nset output \"{0}.png\"\nreplot\n"
      "set terminal svg size 960,600 noenhanced\nset output \"{0}.svg\"\nreplot\n",
      stem);
}

std::string throughput_script(const verify::BenchResult& r, const std::string& caption) {
  const int k = r.points.empty() ? 0 : r.points.front().k;
  std::map<std::string, std::string> blocks;  // strategy -> "batch median min max" lines
  for (const auto& p : r.points) {
    if (p.k != k) continue;
    blocks[p.strategy] +=
        fmt::format("{} {:.6g} {:.6g} {:.6g}\n", p.batch_size, p.tokens_per_second.median,
                    p.tokens_per_second.min, p.tokens_per_second.max);
  }
  std::string gp;
  for (const auto& [strategy, lines] : blocks)
    gp += fmt::format("${} << EOD\n{}EOD\n", strategy, lines);
  gp += fmt::format("set title \"measured throughput, {} backend, k {}\"\n", r.backend, k);
  gp += "set xlabel \"batch size\"\nset ylabel \"tokens/s (median; bars: min..max)\"\n";
  gp += "set logscale x 2\nset key left top\nset grid\nset bmargin 6\n";
  gp += fmt::format("set label 1 \"{}\" at screen 0.01,0.04 font \",8\"\n", caption);
  std::string plot = "plot ";
  for (const auto& [strategy, lines] : blocks) {
    if (plot != "plot ") plot += ", ";
    plot += fmt::format("${0} using 1:2:3:4 with yerrorlines title \"{0}\"", strategy);
  }
  return gp + plot + "\n" + terminal_lines("throughput");
}

std::string stage_share_script(const verify::BenchResult& r, const std::string& caption) {
  std::string data = "$shares << EOD\npoint draft verify realign prefill other\n";
  for (const auto& p : r.points) {
    const auto& s = p.stage_median;
    const double total = s.total() > 0 ? s.total() : 1;
    data += fmt::format("\"{} b{} k{}\" {:.4f} {:.4f} {:.4f} {:.4f} {:.4f}\n", p.strategy,
                        p.batch_size, p.k, s.draft / total, s.verify / total, s.realign / total,
                        s.prefill / total, s.other / total);
  }
  data += "EOD\n";
  std::string gp = data;
  gp += fmt::format("set title \"share of run time per stage, {} backend (medians)\"\n", r.backend);
  gp += "set style data histograms\nset style histogram rowstacked\nset style fill solid 0.8\n";
  gp += "set boxwidth 0.8\nset yrange [0:1]\nset ylabel \"share\"\nset key outside right\n";
  gp += "set xtics rotate by -45 font \",8\"\nset bmargin 9\n";
  gp += fmt::format("set label 1 \"{}\" at screen 0.01,0.03 font \",8\"\n", caption);
  gp += "plot for [i=2:6] $shares using i:xtic(1) title columnheader(i)\n";
  return gp + terminal_lines("stage_shares");
}

bool render(const std::string& dir, const std::string& stem) {
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) return false;
  const std::string cmd = fmt::format("cd '{}' && gnuplot {}.gp >/dev/null 2>&1", dir, stem);
  return std::system(cmd.c_str()) == 0;
}

}  // namespace

bool write_bench_plots(const verify::BenchResult& result, const std::string& dir,
                       const std::string& caption) {
  write_file_atomically(dir + "/throughput.gp", throughput_script(result, caption));
  write_file_atomically(dir + "/stage_shares.gp", stage_share_script(result, caption));
  const bool a = render(dir, "throughput");
  const bool b = render(dir, "stage_shares");
  return a && b;
}

}  // namespace lockstep::cli
