#include "station-agent/lines.h"

#include <cstdio>

#include "common/frame.h"
#include "common/sha256.h"
#include "station-agent/journal.h"

namespace capture::agent {

namespace {

std::string ShotNumber(uint32_t n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04u", n);
  return buf;
}

void Add(std::string& line, std::string_view key, std::string_view value) {
  line += ' ';
  line += key;
  line += '=';
  line += QuoteValue(value);
}

}  // namespace

std::string QuoteValue(std::string_view value) {
  if (!value.empty() && value.find_first_of(" \"\\\t") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string FormatReadyLine(uint32_t station, uint64_t epoch, uint64_t last_seq, const PublicKey& key) {
  return "ready station=" + std::to_string(station) + " epoch=" + EpochHex(epoch) +
         " last_seq=" + std::to_string(last_seq) + " key=" + KeyHex(key);
}

std::string FormatEventLine(const wire::CaptureEvent& ev) {
  std::string line = "event station=" + std::to_string(ev.station()) + " seq=" + std::to_string(ev.seq()) +
                     " kind=" + KindName(ev.kind());
  switch (ev.kind()) {
    case wire::CODE_READ:
      Add(line, "registry_no", ev.code().registry_no());
      Add(line, "masked_name", ev.code().masked_name());
      break;
    case wire::CODE_UNREADABLE:
      Add(line, "reason", ev.detail());
      break;
    case wire::SHOT_TAKEN:
      Add(line, "shot", ShotNumber(ev.shot().shot_number()));
      Add(line, "file", ev.shot().file_name());
      Add(line, "sha256", ToHex(ev.shot().sha256()));
      break;
    case wire::MARK_VOID:
      Add(line, "shot", ShotNumber(ev.shot().shot_number()));
      Add(line, "file", ev.shot().file_name());
      break;
    case wire::MARK_RETAKE:
      Add(line, "registry_no", ev.code().registry_no());
      break;
    case wire::MARK_ABSENT:
      Add(line, "student_no", ev.student_no());
      break;
    case wire::MARK_RESOLVE:
      Add(line, "anomaly", ev.anomaly_id());
      Add(line, "reason", ev.detail());
      break;
    default:
      break;
  }
  return line;
}

std::string FormatAlertLine(uint32_t station, std::string_view sentence) {
  std::string line = "alert station=" + std::to_string(station) + " ";
  for (char c : sentence) line += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
  return line;
}

}  // namespace capture::agent
