#include "coordinator/verdict_feed.h"

#include "common/frame.h"
#include "coordinator/judge/judge.h"

namespace capture::coord {

namespace {

// Room left in a frame for the envelope (frame tag, version, verdict tag and length, commit index).
constexpr size_t kEnvelopeBytes = 64;

std::string Encode(wire::Verdict verdict) {
  wire::Frame frame;
  *frame.mutable_verdict() = std::move(verdict);
  return EncodeFrame(std::move(frame));
}

}  // namespace

std::vector<std::string> StationVerdictFrames(const wire::Verdict& verdict, uint32_t station) {
  const wire::Verdict ours = judge::ForStation(verdict, station);
  if (ours.raised().empty() && ours.resolved().empty()) return {};
  std::string whole = Encode(ours);
  if (whole.size() <= kMaxFrameBytes) return {std::move(whole)};

  std::vector<std::string> frames;
  wire::Verdict part;
  part.set_commit_index(ours.commit_index());
  auto flush_if_full = [&](size_t adding) {
    if (part.ByteSizeLong() + adding + kEnvelopeBytes <= kMaxFrameBytes) return;
    if (part.raised().empty() && part.resolved().empty()) return;  // one piece alone: it goes as it is
    frames.push_back(Encode(part));
    part.Clear();
    part.set_commit_index(ours.commit_index());
  };
  for (const wire::Anomaly& a : ours.raised()) {
    flush_if_full(a.ByteSizeLong() + 8);
    *part.add_raised() = a;
  }
  for (const wire::Resolution& r : ours.resolved()) {
    flush_if_full(r.ByteSizeLong() + 8);
    *part.add_resolved() = r;
  }
  frames.push_back(Encode(part));
  return frames;
}

std::set<uint32_t> ConcernedStations(const wire::Verdict& verdict) {
  std::set<uint32_t> stations;
  for (const wire::Anomaly& a : verdict.raised()) stations.insert(a.station());
  for (const wire::Resolution& r : verdict.resolved()) stations.insert(r.station());
  stations.erase(0);
  return stations;
}

}  // namespace capture::coord
