#include "coordinator/station_outbox.h"

#include "common/frame.h"
#include "coordinator/verdict_feed.h"

namespace capture::coord {

const StationOutbox::Route* StationOutbox::RouteOf(uint32_t station) const {
  const auto route = routes_.find(station);
  return route == routes_.end() ? nullptr : &route->second;
}

const std::string* StationOutbox::AgentPeer(const StreamId& stream) const {
  const Route* route = RouteOf(stream.station);
  return route && route->epoch == stream.epoch ? &route->peer : nullptr;
}

void StationOutbox::Greet(uint32_t station, Route route) {
  routes_[station] = std::move(route);
  progress_sent_.erase(station);
  greeted_.insert(station);
}

void StationOutbox::Queue(uint32_t station, const wire::Verdict& verdict) {
  std::deque<std::string>& waiting = undelivered_[station];
  for (std::string& frame : StationVerdictFrames(verdict, station)) waiting.push_back(std::move(frame));
  while (waiting.size() > kMaxWaiting) {
    waiting.pop_front();
    ++dropped_[station];
  }
}

void StationOutbox::FlushVerdicts() {
  for (auto& [station, waiting] : undelivered_) {
    const Route* route = RouteOf(station);
    if (!route) continue;
    while (!waiting.empty() && send_(route->peer, waiting.front())) {
      waiting.pop_front();
      ++sent_[station];
    }
  }
}

void StationOutbox::PublishProgress(bool judged, std::chrono::steady_clock::time_point now,
                                    const std::set<uint32_t>& stations,
                                    const std::function<std::vector<judge::StationProgress>()>& progress) {
  progress_changed_ = progress_changed_ || judged;
  const bool due = progress_changed_ && now >= next_progress_;
  const bool greeted = !greeted_.empty();
  greeted_.clear();
  if (!due && !greeted) return;
  if (due) {
    progress_changed_ = false;
    next_progress_ = now + kProgressInterval;
  }
  std::map<uint32_t, judge::StationProgress> judged_now;
  for (judge::StationProgress& p : progress()) judged_now[p.station] = std::move(p);
  for (uint32_t station : stations) {
    const Route* route = RouteOf(station);
    const auto sent = progress_sent_.find(station);
    if (!route || (!due && sent != progress_sent_.end())) continue;
    wire::Frame frame;
    wire::StationProgress* p = frame.mutable_station_progress();
    p->set_station(station);
    if (const auto it = judged_now.find(station); it != judged_now.end()) {
      p->set_current_class(it->second.current_class);
      p->set_class_done(it->second.class_done);
      p->set_class_expected(it->second.class_expected);
      p->set_photographed(it->second.photographed);
    }
    std::string bytes = EncodeFrame(std::move(frame));
    if (sent != progress_sent_.end() && sent->second == bytes) continue;
    if (send_(route->peer, bytes)) progress_sent_[station] = std::move(bytes);
  }
}

std::map<uint32_t, size_t> StationOutbox::waiting() const {
  std::map<uint32_t, size_t> out;
  for (const auto& [station, frames] : undelivered_) out[station] = frames.size();
  return out;
}

}  // namespace capture::coord
