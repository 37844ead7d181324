#include "coordinator/dashboard/metrics.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <utility>

namespace capture::dashboard {

namespace {

constexpr char kPrefix[] = "capture_";

enum class Type { kCounter, kGauge };

struct Family {
  Type type;
  const char* help;
};

// The StatusReply's counter families (coordinator.h), by the name the coordinator gives them.
const std::map<std::string_view, Family>& KnownFamilies() {
  static const std::map<std::string_view, Family> families = {
      {"events_received", {Type::kCounter, "Events received per station, live and resent, before any check."}},
      {"events_stored", {Type::kCounter, "Events stored in the record per station."}},
      {"resend_requests", {Type::kCounter, "Resend requests sent to a station's agent."}},
      {"duplicates_ignored", {Type::kCounter, "Events received again with the same bytes, ignored."}},
      {"seq_conflicts", {Type::kCounter, "Events received again with other bytes, not stored."}},
      {"frames_rejected", {Type::kCounter, "Frames rejected unread or unstored, by reason."}},
      {"frames_received", {Type::kCounter, "Frames received, by socket."}},
      {"heartbeats", {Type::kCounter, "Heartbeats received per station."}},
      {"hellos", {Type::kCounter, "Hellos accepted per station: each is a connection its agent made or made again."}},
      {"events_dropped_buffer_full",
       {Type::kCounter, "Events after a gap dropped because the reorder buffer was full (resent later)."}},
      {"verdicts_sent", {Type::kCounter, "Verdict frames sent to a station's agent."}},
      {"verdicts_dropped", {Type::kCounter, "Verdict frames dropped while a station's agent was away."}},
      {"verdicts_waiting", {Type::kGauge, "Verdict frames waiting for a station's agent."}},
      {"observations", {Type::kCounter, "The coordinator's own observations recorded, by kind."}},
      {"commits", {Type::kCounter, "Group commits (synced writes) of the record."}},
      {"anomalies_raised", {Type::kCounter, "Anomalies raised by the judge."}},
      {"images_stored", {Type::kCounter, "Camera images received whole and filed under their SHA-256."}},
      {"images_already_held", {Type::kCounter, "Images offered that the image store already held."}},
      {"image_bytes_received", {Type::kCounter, "Image bytes received in chunks."}},
      {"image_chunks_received", {Type::kCounter, "Image chunks received and written."}},
      {"image_chunks_stale", {Type::kCounter, "Image chunks dropped: not the next one expected."}},
      {"image_hash_mismatches", {Type::kCounter, "Whole images whose bytes did not hash to their name."}},
      {"images_refused", {Type::kCounter, "Images refused (bad offer, unavailable at the station, hash never right)."}},
      {"image_frames_rejected", {Type::kCounter, "Frames on the image socket rejected."}},
      {"images_waiting", {Type::kGauge, "Images offered and not yet filed."}},
  };
  return families;
}

// Exported from the judge directly, by kind and severity.
constexpr std::string_view kAnomaliesOpen = "anomalies_open";

std::string Number(double value) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void Header(std::string& out, const std::string& name, const char* type, std::string_view help) {
  out += "# HELP " + name + " " + std::string(help) + "\n";
  out += "# TYPE " + name + " " + type + "\n";
}

void AppendHistogram(std::string& out, const std::string& name, std::string_view help, const Histogram& h) {
  Header(out, name, "histogram", help);
  const std::vector<uint64_t> cumulative = h.Cumulative();
  for (size_t i = 0; i < cumulative.size(); ++i) {
    const std::string le = i < h.bounds().size() ? Number(h.bounds()[i]) : "+Inf";
    out += name + "_bucket{le=\"" + le + "\"} " + std::to_string(cumulative[i]) + "\n";
  }
  out += name + "_sum " + Number(h.sum()) + "\n";
  out += name + "_count " + std::to_string(h.count()) + "\n";
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::Observe(double value) {
  const size_t bucket = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  ++counts_[bucket];
  ++count_;
  sum_ += value;
}

std::vector<uint64_t> Histogram::Cumulative() const {
  std::vector<uint64_t> out(counts_.size());
  uint64_t running = 0;
  for (size_t i = 0; i < counts_.size(); ++i) out[i] = running += counts_[i];
  return out;
}

std::string MetricsText(const wire::StatusReply& status, const std::vector<judge::AnomalyState>& anomalies,
                        const CommitMetrics& commits) {
  // family -> (label set text, value), grouped so each family's samples follow its TYPE line.
  std::map<std::string, std::vector<std::pair<std::string, uint64_t>>> families;
  for (const wire::Counter& c : status.counters()) {
    const size_t brace = c.name().find('{');
    std::string family = c.name().substr(0, brace);
    if (family == kAnomaliesOpen) continue;
    families[std::move(family)].emplace_back(brace == std::string::npos ? "" : c.name().substr(brace), c.value());
  }

  std::string out;
  for (const auto& [family, samples] : families) {
    const auto known = KnownFamilies().find(family);
    std::string name = kPrefix + family;
    if (known == KnownFamilies().end()) {
      Header(out, name, "untyped", "A coordinator counter (see coordinator.h).");
    } else if (known->second.type == Type::kCounter) {
      name += "_total";
      Header(out, name, "counter", known->second.help);
    } else {
      Header(out, name, "gauge", known->second.help);
    }
    for (const auto& [labels, value] : samples) out += name + labels + " " + std::to_string(value) + "\n";
  }

  Header(out, std::string(kPrefix) + "commit_index", "gauge", "The last commit index stored.");
  out += std::string(kPrefix) + "commit_index " + std::to_string(status.commit_index()) + "\n";

  std::map<uint32_t, uint64_t> lag;
  for (const wire::StationStatus& s : status.stations()) {
    lag[s.station()] += s.announced_seq() > s.stored_seq() ? s.announced_seq() - s.stored_seq() : 0;
  }
  const std::string lag_name = std::string(kPrefix) + "station_lag_events";
  Header(out, lag_name, "gauge", "Events a station announced that the coordinator has not stored yet.");
  for (const auto& [station, events] : lag) {
    out += lag_name + "{station=\"" + std::to_string(station) + "\"} " + std::to_string(events) + "\n";
  }

  std::map<std::pair<std::string, std::string>, uint64_t> open;
  for (const judge::AnomalyState& a : anomalies) {
    uint64_t& n = open[{wire::Anomaly::Kind_Name(a.anomaly.kind()), wire::Severity_Name(a.anomaly.severity())}];
    if (a.open()) ++n;
  }
  const std::string open_name = std::string(kPrefix) + "anomalies_open";
  Header(out, open_name, "gauge", "Open anomalies by kind and severity (kinds raised so far).");
  for (const auto& [key, n] : open) {
    out += open_name + "{kind=\"" + EscapeLabelValue(key.first) + "\",severity=\"" + EscapeLabelValue(key.second) +
           "\"} " + std::to_string(n) + "\n";
  }

  AppendHistogram(out, std::string(kPrefix) + "commit_batch_items", "Record items per group commit.",
                  commits.batch_items);
  AppendHistogram(out, std::string(kPrefix) + "commit_seconds",
                  "Time of one group commit: judging its items and the synced write.", commits.seconds);
  return out;
}

}  // namespace capture::dashboard
