// The benchmark's outputs: the table on stdout, BENCHMARKS.md (the table, the machine, the exact
// command and the event shape) and the PNG plots drawn with gnuplot.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "tools/bench/figures.h"

namespace capture::bench {

// lscpu model, cores, memory, kernel and the disk holding `dir`, as Markdown list lines.
std::string DescribeMachine(const std::string& dir);

// The table of every figure but the --insecure sides of pairs: median, trials, limit, ratio to the
// limit, target.
std::string RenderTable(const Figures& figures);
// The pairs (figures.h, SecurityPair) side by side: CURVE median, --insecure median, their ratio,
// each one's ratio to its own limit, the pair's target.
std::string RenderSecurityTable(const Figures& figures);

struct ReportText {
  std::string command;      // the exact command line of the run
  std::string machine;      // DescribeMachine
  std::string notes;        // free Markdown appended after the table (findings, gaps)
  std::string security_intro;  // Markdown before the security table: how the pairs were measured
  std::vector<std::string> plots;  // PNG paths relative to the report
};

Status WriteReport(const std::string& path, const Figures& figures, const ReportText& text);

// One series of (x, y) points for a plot.
struct Series {
  std::string title;
  std::vector<std::pair<double, double>> points;
};

// Draws `series` as lines into `png` with gnuplot; Unavailable when gnuplot is not installed.
Status Plot(const std::string& png, const std::string& title, const std::string& xlabel, const std::string& ylabel,
            const std::vector<Series>& series, bool log_x, const std::string& tmp);

}  // namespace capture::bench
