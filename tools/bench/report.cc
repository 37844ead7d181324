#include "tools/bench/report.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/fs.h"

namespace capture::bench {
namespace {

// The command's stdout with the trailing newline removed; empty when it cannot run.
std::string Capture(const std::string& command) {
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    pclose(pipe);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string Format(double value) {
  char text[64];
  if (value >= 1000) std::snprintf(text, sizeof text, "%.0f", value);
  else if (value >= 10) std::snprintf(text, sizeof text, "%.1f", value);
  else std::snprintf(text, sizeof text, "%.3g", value);
  // Thousands separators make rates readable.
  const std::string digits = text;
  const size_t end = std::min(digits.find('.'), digits.size());
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && i < end && (end - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string Ratio2(double ratio) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", ratio);
  return text;
}

// "0.38 of limit/pipeline-curve", or nothing when the figure has no limit.
std::string LimitRatio(const Figures& figures, const Figure& f) {
  const auto ratio = figures.Ratio(f);
  return ratio ? Ratio2(*ratio) + " of " + f.limit_key : "";
}

}  // namespace

std::string DescribeMachine(const std::string& dir) {
  std::string out;
  out += "- CPU: " + Capture("lscpu | sed -n 's/^Model name: *//p' | head -1") + "\n";
  out += "- Cores: " + Capture("nproc") + " online (" + Capture("lscpu | sed -n 's/^CPU(s): *//p' | head -1") +
         " CPUs)\n";
  out += "- Memory: " + Capture("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo") + "\n";
  out += "- Kernel: " + Capture("uname -sr") + "\n";
  out += "- Disk (benchmark folder): " +
         Capture("df -hT '" + dir + "' | awk 'NR==2 {print $1\", \"$2\", \"$3\" total\"}'") + "\n";
  out += "- Compiler build: Release, RocksDB linked statically\n";
  return out;
}

std::string RenderTable(const Figures& figures) {
  std::ostringstream out;
  out << "| Figure | Median | Unit | Trials | Limit (median) | Ratio to limit | Target |\n";
  out << "|---|---:|---|---:|---|---:|---|\n";
  for (const Figure& f : figures.all()) {
    if (figures.IsInsecureTwin(f.key)) continue;  // in the security table, beside its CURVE figure
    out << "| " << f.label << " | " << (f.trials.empty() ? "not measured" : Format(f.Median())) << " | " << f.unit
        << " | " << f.trials.size() << " | ";
    if (const Figure* limit = f.limit_key.empty() ? nullptr : figures.Find(f.limit_key)) {
      out << limit->key << " (" << Format(limit->Median()) << ")";
    }
    out << " | ";
    if (auto ratio = figures.Ratio(f)) out << Ratio2(*ratio);
    out << " | " << f.target << " |\n";
  }
  return out.str();
}

std::string RenderSecurityTable(const Figures& figures) {
  std::ostringstream out;
  out << "| Figure | CURVE (median) | --insecure (median) | Unit | Trials | CURVE / insecure | CURVE to its limit "
         "| --insecure to its limit | Target |\n";
  out << "|---|---:|---:|---|---:|---:|---|---|---|\n";
  for (const SecurityPair& pair : figures.pairs()) {
    const Figure* secure = figures.Find(pair.secure_key);
    const Figure* insecure = figures.Find(pair.insecure_key);
    if (secure == nullptr || insecure == nullptr) continue;
    const auto median = [](const Figure& f) {
      return f.trials.empty() ? std::string("not measured") : Format(f.Median());
    };
    const auto ratio = figures.PairRatio(pair);
    out << "| " << pair.label << " | " << median(*secure) << " | " << median(*insecure) << " | " << secure->unit
        << " | " << secure->trials.size() << " + " << insecure->trials.size() << " | "
        << (ratio ? Ratio2(*ratio) : "") << " | " << LimitRatio(figures, *secure) << " | "
        << LimitRatio(figures, *insecure) << " | " << pair.target << " |\n";
  }
  return out.str();
}

Status WriteReport(const std::string& path, const Figures& figures, const ReportText& text) {
  std::string md = "# Benchmarks\n\n";
  md += "Written by `tools/bench` (do not edit by hand): medians over repeated trials, each pipeline figure "
        "as a ratio of the bare limit measured in the same run.\n\n";
  md += "Command:\n\n```\n" + text.command + "\n```\n\n";
  md += "## Machine\n\n" + text.machine + "\n";
  md += "## Results\n\n" + RenderTable(figures) + "\n";
  if (!figures.pairs().empty()) {
    md += "## Security: CURVE beside --insecure\n\n" + text.security_intro + "\n" + RenderSecurityTable(figures) +
          "\n";
  }
  for (const std::string& png : text.plots) md += "![" + png + "](" + png + ")\n\n";
  md += text.notes;
  return WriteFileDurably(path, md);
}

Status Plot(const std::string& png, const std::string& title, const std::string& xlabel, const std::string& ylabel,
            const std::vector<Series>& series, bool log_x, const std::string& tmp) {
  if (Capture("command -v gnuplot").empty()) return Status::Unavailable("gnuplot is not installed: no " + png);
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(png).parent_path(), ignored);
  const std::string script_path = tmp + "/plot.gp";
  std::ofstream script(script_path);
  script << "set terminal pngcairo size 900,640 noenhanced\nset output '" << png << "'\n";
  script << "set title '" << title << "'\nset xlabel '" << xlabel << "'\nset ylabel '" << ylabel << "'\n";
  // Below the plot: a key inside would cover the curves once there are more than a few.
  script << "set grid\nset key outside below\n" << (log_x ? "set logscale x\n" : "");
  script << "plot ";
  for (size_t i = 0; i < series.size(); ++i) {
    script << (i ? ", " : "") << "'-' using 1:2 with linespoints title '" << series[i].title << "'";
  }
  script << "\n";
  for (const Series& s : series) {
    for (const auto& [x, y] : s.points) script << x << " " << y << "\n";
    script << "e\n";
  }
  script.close();
  const std::string output = Capture("gnuplot '" + script_path + "' 2>&1");
  if (!std::filesystem::exists(png)) return Status::IoError("gnuplot drew no " + png + ": " + output);
  return Status::Ok();
}

}  // namespace capture::bench
