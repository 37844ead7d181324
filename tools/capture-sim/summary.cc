#include "tools/capture-sim/summary.h"

#include <cstdio>

#include "tools/capture-sim/json.h"

namespace capture::sim {

namespace {

StationSummary Totals(const DaySummary& summary) {
  StationSummary t;
  t.images_not_filed.emplace();
  for (const StationSummary& s : summary.stations) {
    t.images.insert(s.images.begin(), s.images.end());
    if (!s.images_not_filed) t.images_not_filed.reset();
    if (t.images_not_filed) t.images_not_filed->insert(s.images_not_filed->begin(), s.images_not_filed->end());
    t.events_sent += s.events_sent;
    t.events_stored += s.events_stored;
    t.students += s.students;
    t.absent += s.absent;
    t.photographed += s.photographed;
    t.alerts += s.alerts;
    t.restarts += s.restarts;
  }
  return t;
}

std::string Counts(const StationSummary& s) {
  return "\"events_sent\":" + std::to_string(s.events_sent) + ",\"events_stored\":" + std::to_string(s.events_stored) +
         ",\"students\":" + std::to_string(s.students) + ",\"absent\":" + std::to_string(s.absent) +
         ",\"expected\":" + std::to_string(s.expected()) + ",\"photographed\":" + std::to_string(s.photographed) +
         ",\"alerts\":" + std::to_string(s.alerts) + ",\"agent_restarts\":" + std::to_string(s.restarts) +
         ",\"images_taken\":" + std::to_string(s.images.size()) +
         ",\"images_filed\":" + (s.images_filed() ? std::to_string(*s.images_filed()) : "null");
}

// "filed/taken"; "?" for filed when unknown.
std::string Images(const StationSummary& s) {
  return (s.images_filed() ? std::to_string(*s.images_filed()) : "?") + "/" + std::to_string(s.images.size());
}

std::string Row(const std::string& label, const StationSummary& s) {
  char buf[160];
  const std::string photographed = std::to_string(s.photographed) + "/" + std::to_string(s.expected());
  std::snprintf(buf, sizeof buf, "%-8s %12llu %14llu %22s %7d %7d %20s\n", label.c_str(),
                static_cast<unsigned long long>(s.events_sent), static_cast<unsigned long long>(s.events_stored),
                photographed.c_str(), s.absent, s.alerts, Images(s).c_str());
  return buf;
}

}  // namespace

bool DaySummary::ok() const {
  if (!error.empty() || stations.empty()) return false;
  for (const StationSummary& s : stations) {
    if (!s.stored_all() || !s.filed_all() || !s.error.empty()) return false;
  }
  return true;
}

std::string FormatSummaryTable(const DaySummary& summary) {
  char header[160];
  std::snprintf(header, sizeof header, "%-8s %12s %14s %22s %7s %7s %20s\n", "station", "events_sent",
                "events_stored", "photographed/expected", "absent", "alerts", "images filed/taken");
  std::string out = header;
  for (const StationSummary& s : summary.stations) {
    out += Row(std::to_string(s.station), s);
    if (s.restarts > 0) {
      out += "  station " + std::to_string(s.station) + "'s agent ended and was restarted on its journal " +
             std::to_string(s.restarts) + (s.restarts == 1 ? " time\n" : " times\n");
    }
    if (!s.error.empty()) out += "  station " + std::to_string(s.station) + " stopped early: " + s.error + "\n";
  }
  out += Row("total", Totals(summary));
  if (!summary.error.empty()) out += "error: " + summary.error + "\n";
  char elapsed[64];
  std::snprintf(elapsed, sizeof elapsed, " (%.1f s)", summary.elapsed_seconds);
  const bool images_known = Totals(summary).images_not_filed.has_value();
  out += summary.ok() ? std::string("result: ok, every event stored at the coordinator") +
                            (images_known ? ", every image filed there" : "")
                      : "result: FAILED, see the rows above";
  return out + elapsed + "\n";
}

std::string FormatSummaryJson(const DaySummary& summary) {
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.3f", summary.elapsed_seconds);
  std::string out = std::string("{\"ok\":") + (summary.ok() ? "true" : "false") + ",\"elapsed_seconds\":" + elapsed +
                    ",\"stations\":[";
  for (size_t i = 0; i < summary.stations.size(); ++i) {
    const StationSummary& s = summary.stations[i];
    char epoch[17];
    std::snprintf(epoch, sizeof epoch, "%016llx", static_cast<unsigned long long>(s.epoch));
    out += std::string(i ? "," : "") + "{\"station\":" + std::to_string(s.station) + ",\"epoch\":\"" + epoch + "\"," +
           Counts(s) + ",\"stored_all\":" + (s.stored_all() ? "true" : "false") +
           ",\"error\":" + (s.error.empty() ? "null" : JsonQuote(s.error)) + "}";
  }
  out += "],\"totals\":{" + Counts(Totals(summary)) + "},\"error\":" +
         (summary.error.empty() ? "null" : JsonQuote(summary.error)) + "}\n";
  return out;
}

}  // namespace capture::sim
