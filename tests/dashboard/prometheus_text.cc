#include "tests/dashboard/prometheus_text.h"

#include <cmath>
#include <regex>
#include <set>

namespace capture::dashboard::testing {

namespace {

const std::regex kName("[a-zA-Z_:][a-zA-Z0-9_:]*");
const std::regex kHelp("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)");
const std::regex kType("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");
const std::regex kSample("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? ([^ ]+)( -?[0-9]+)?");
const std::regex kValue("[-+]?([0-9]+(\\.[0-9]*)?([eE][-+]?[0-9]+)?|\\.[0-9]+([eE][-+]?[0-9]+)?|Inf|NaN)");

// Parses `a="x",b="y"` (values with \\, \" and \n escapes); false when malformed.
bool ParseLabels(const std::string& text, std::map<std::string, std::string>& out) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t eq = text.find('=', i);
    if (eq == std::string::npos) return false;
    const std::string name = text.substr(i, eq - i);
    if (!std::regex_match(name, std::regex("[a-zA-Z_][a-zA-Z0-9_]*")) || out.count(name)) return false;
    if (eq + 1 >= text.size() || text[eq + 1] != '"') return false;
    std::string value;
    size_t j = eq + 2;
    for (; j < text.size() && text[j] != '"'; ++j) {
      if (text[j] == '\\') {
        if (++j >= text.size()) return false;
        if (text[j] == 'n') {
          value += '\n';
        } else if (text[j] == '\\' || text[j] == '"') {
          value += text[j];
        } else {
          return false;
        }
      } else {
        value += text[j];
      }
    }
    if (j >= text.size()) return false;
    out[name] = value;
    i = j + 1;
    if (i < text.size()) {
      if (text[i] != ',') return false;
      ++i;
    }
  }
  return true;
}

// The family a sample belongs to, given the families' types.
std::string FamilyOf(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s = suffix;
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      const std::string base = name.substr(0, name.size() - s.size());
      auto t = types.find(base);
      if (t != types.end() && (t->second == "histogram" || t->second == "summary")) return base;
    }
  }
  return name;
}

}  // namespace

std::optional<double> Exposition::Value(const std::string& name,
                                        const std::map<std::string, std::string>& labels) const {
  for (const Sample& s : samples) {
    if (s.name == name && s.labels == labels) return s.value;
  }
  return std::nullopt;
}

double Exposition::Sum(const std::string& name) const {
  double sum = 0;
  for (const Sample& s : samples) {
    if (s.name == name) sum += s.value;
  }
  return sum;
}

Result<Exposition> ParseExposition(const std::string& text) {
  Exposition out;
  std::set<std::string> helped, finished;
  std::string current;  // the family whose lines we are in
  if (text.empty() || text.back() != '\n') return Status::InvalidArgument("the text does not end in a newline");
  size_t line_no = 0;
  size_t start = 0;
  auto fail = [&](const std::string& line, const std::string& why) {
    return Status::InvalidArgument("line " + std::to_string(line_no) + " \"" + line + "\": " + why);
  };
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    std::smatch m;
    if (line.empty()) return fail(line, "empty line");
    if (line[0] == '#') {
      std::string family;
      if (std::regex_match(line, m, kHelp)) {
        family = m[1];
        if (!helped.insert(family).second) return fail(line, "second HELP for " + family);
      } else if (std::regex_match(line, m, kType)) {
        family = m[1];
        if (out.types.count(family)) return fail(line, "second TYPE for " + family);
        out.types[family] = m[2];
      } else {
        return fail(line, "a comment that is neither HELP nor TYPE");
      }
      if (family != current) {
        if (finished.count(family)) return fail(line, family + " appears in two places");
        if (!current.empty()) finished.insert(current);
        current = family;
      }
      continue;
    }
    if (!std::regex_match(line, m, kSample)) return fail(line, "not a sample");
    Sample s;
    s.name = m[1];
    if (m[2].matched && !ParseLabels(m[3], s.labels)) return fail(line, "bad labels");
    const std::string value = m[4];
    if (!std::regex_match(value, kValue)) return fail(line, "bad value");
    s.value = value == "+Inf" || value == "Inf" ? INFINITY : value == "-Inf" ? -INFINITY : std::stod(value);
    const std::string family = FamilyOf(s.name, out.types);
    if (!out.types.count(family)) return fail(line, "sample of " + family + " before its TYPE");
    if (family != current) return fail(line, "sample of " + family + " apart from its family's lines");
    const std::string& type = out.types[family];
    if (type == "counter" && (s.value < 0 || std::isnan(s.value))) return fail(line, "a negative counter");
    if (type == "histogram" && s.name.size() > family.size() && s.name.substr(family.size()) == "_bucket" &&
        !s.labels.count("le")) {
      return fail(line, "a bucket without le");
    }
    out.samples.push_back(std::move(s));
  }

  // Histograms: per label set (without le), buckets ascending in le and cumulative, +Inf == _count.
  for (const auto& [family, type] : out.types) {
    if (type != "histogram") continue;
    std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;
    for (const Sample& s : out.samples) {
      if (s.name != family + "_bucket") continue;
      auto labels = s.labels;
      const std::string le = labels["le"];
      labels.erase("le");
      buckets[labels].emplace_back(le == "+Inf" ? INFINITY : std::stod(le), s.value);
    }
    if (buckets.empty()) return Status::InvalidArgument(family + ": a histogram without buckets");
    for (const auto& [labels, list] : buckets) {
      for (size_t i = 1; i < list.size(); ++i) {
        if (!(list[i].first > list[i - 1].first)) return Status::InvalidArgument(family + ": le not ascending");
        if (list[i].second < list[i - 1].second) return Status::InvalidArgument(family + ": buckets not cumulative");
      }
      if (!std::isinf(list.back().first)) return Status::InvalidArgument(family + ": no le=\"+Inf\" bucket");
      const auto count = out.Value(family + "_count", labels);
      if (!count || *count != list.back().second) return Status::InvalidArgument(family + ": +Inf bucket != _count");
      if (!out.Value(family + "_sum", labels)) return Status::InvalidArgument(family + ": no _sum");
    }
  }
  return out;
}

}  // namespace capture::dashboard::testing
