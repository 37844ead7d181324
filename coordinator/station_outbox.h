// What the coordinator sends each station's agent besides acks: the verdict frames on its
// station's anomalies and its station's progress, over the control connection its latest hello came
// on (its route). Only that connection hears them: another connection says hello for the station in
// vain while the route is up (Coordinator::HandleHello decides).
//
// Verdict frames an agent cannot take now (its connection is down, e.g. while it or the coordinator
// restarts) wait, at most kMaxWaiting per station (the oldest are dropped and counted), and go out
// in order once it can. Progress goes out when it changed, at most every kProgressInterval, and
// after each hello; one an agent cannot take is not kept: its next hello brings it.
//
// Sends through a function, so it holds no socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "capture.pb.h"
#include "coordinator/judge/judge.h"
#include "coordinator/stream_id.h"

namespace capture::coord {

class StationOutbox {
 public:
  static constexpr size_t kMaxWaiting = 10'000;
  static constexpr std::chrono::milliseconds kProgressInterval{200};

  // Sends `bytes` to the control peer `peer` now; false when it cannot take them now.
  using Send = std::function<bool(const std::string& peer, const std::string& bytes)>;
  explicit StationOutbox(Send send) : send_(std::move(send)) {}

  // Where a station's agent is reached.
  struct Route {
    std::string peer;
    uint64_t epoch = 0;
    std::string user_id;  // the connection's: a route held by a key withdrawn since is free to take
  };
  // The station's route, or null before its agent's first hello.
  const Route* RouteOf(uint32_t station) const;
  const std::map<uint32_t, Route>& routes() const { return routes_; }
  // The connection of the stream's agent: the station's route, if it is of that epoch.
  const std::string* AgentPeer(const StreamId& stream) const;
  // The station's agent said hello on `route`: it may have lost what it was told, so its progress
  // goes to it again.
  void Greet(uint32_t station, Route route);

  void Queue(uint32_t station, const wire::Verdict& verdict);
  // Sends each station's waiting verdict frames that its agent can take now, oldest first. Every
  // turn, not only when there is news: an agent whose connection was down is told what it missed
  // as soon as it is back.
  void FlushVerdicts();

  // Sends each station of `stations` with a route its progress (from `progress`, asked only when
  // something is to be sent) when it is due: `judged` says whether anything was judged this turn.
  void PublishProgress(bool judged, std::chrono::steady_clock::time_point now, const std::set<uint32_t>& stations,
                       const std::function<std::vector<judge::StationProgress>()>& progress);

  uint64_t verdicts_sent(uint32_t station) const { return Counts(station, sent_); }
  uint64_t verdicts_dropped(uint32_t station) const { return Counts(station, dropped_); }
  // Per station that ever had a verdict: its frames waiting now.
  std::map<uint32_t, size_t> waiting() const;

 private:
  static uint64_t Counts(uint32_t station, const std::map<uint32_t, uint64_t>& counts) {
    const auto it = counts.find(station);
    return it == counts.end() ? 0 : it->second;
  }

  Send send_;
  std::map<uint32_t, Route> routes_;
  std::map<uint32_t, std::deque<std::string>> undelivered_;  // per station: verdict frames, oldest first
  std::map<uint32_t, uint64_t> sent_;
  std::map<uint32_t, uint64_t> dropped_;
  std::map<uint32_t, std::string> progress_sent_;  // per station: the progress frame its agent has
  std::set<uint32_t> greeted_;                      // since the last PublishProgress
  bool progress_changed_ = false;                   // something was judged since progress went out
  std::chrono::steady_clock::time_point next_progress_{};
};

}  // namespace capture::coord
