// Plays a whole simulated capture day through real processes: one coordinator (or an existing
// one) and one station-agent per schedule station, all on 127.0.0.1, driven through the agents'
// real inputs (stdin lines and JPEG files in their camera folders). The day is a Scenario
// (scenario.h), optionally with seeded faults; its actions are played exactly, one at a time, in
// the merged station-time order (MergedOrder), each waiting for the agent's event line, so the
// coordinator commits them in the same order as the in-process day (record_day.h) does.
//
// Work folder layout (wiped and re-created on every run):
//   WORK/.capture-sim          marker: only a folder holding it is ever wiped
//   WORK/roster.csv codes.csv site.key     the kit (kit.h)
//   WORK/store/                the coordinator's record (when we start the coordinator)
//   WORK/station-N/camera/     the simulated tethered camera writes IMG_0001.JPG … here
//   WORK/station-N/journal/    the agent's journal
//   WORK/logs/<program>.log    each child's stderr
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#include "capture.pb.h"

#include "common/status.h"
#include "tools/capture-sim/roster.h"
#include "tools/capture-sim/scenario.h"
#include "tools/capture-sim/summary.h"

namespace capture::sim {

struct DayOptions {
  std::string schedule_path;
  std::string day = "2024-04-22";
  std::string tz = "Asia/Shanghai";  // IANA name or a fixed offset such as +08:00
  uint64_t seed = 1;
  std::string work_dir = "capture-day";
  std::string bin_dir;  // holds station-agent and coordinator
  double absent_share = kDefaultAbsentShare;
  int time_per_student_s = 10;
  int faults = 0;      // seeded faults to inject (scenario.h)
  bool benign = true;  // seeded benign variation
  std::string truth_dir;  // when set, the ground truth is written here
  // Wait until the coordinator has stored each event before the next input, so that it commits
  // the events in exactly the order played (else events of different stations sent a moment
  // apart may be committed the other way round, as on a real day). Slower: a status query each.
  bool lockstep = false;
  // Both set: use this running coordinator instead of starting one.
  std::string events_endpoint;
  std::string control_endpoint;
  // That coordinator's --store folder, when it is on this machine: the day then also waits for
  // every image to be filed there, as it does with a coordinator it started.
  std::string coordinator_store;
  // With a running coordinator: the folder with the enrolled station-N.key files (a kit whose
  // station-keys.csv that coordinator was given), and the coordinator's public key (default:
  // <coordinator_store>/coordinator.pub). A day with its own coordinator makes its own kit.
  std::string keys_dir;
  std::string coordinator_key;
  bool insecure = false;  // plain text on every socket (--insecure to every program)
  // How long one step (an agent's answer to one input) may take before the station gives up.
  std::chrono::milliseconds step_timeout{30000};
  // How long to wait at the end for the coordinator to have stored every event.
  std::chrono::milliseconds store_timeout{60000};
  // Test hook (--test-kill-agent STATION:ACTION): SIGKILL that station's agent once the action of
  // that index has been played; the player restarts it, as an operator would. 0: none.
  int test_kill_station = 0;
  size_t test_kill_after_action = 0;
};

// Plays the day; prints start lines and one progress line per finished class to `out`, flushed
// at once. With `truth_dir` the ground truth (truth.h) is written before the day starts. Fails
// (Status) only when the day cannot begin: bad options, schedule or work folder.
// Everything that goes wrong once processes run is in the summary (DaySummary::error or a
// station's error), and the summary is complete either way.
Result<DaySummary> PlayDay(const DayOptions& options, std::FILE* out);

// One status query to the coordinator (coordinator/status_client.h QueryStatus in PlayDay).
using StatusQuery = std::function<Result<wire::StatusReply>()>;

// Queries every `poll` until each station's (station, epoch) stored seq reaches its events_sent,
// filling in events_stored as it goes; Unavailable at the timeout.
Status WaitUntilStored(const StatusQuery& query, DaySummary& summary, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds poll = std::chrono::milliseconds(20));

// Polls every `poll` until every image of each station's SHOT_TAKEN events is in the image store of
// the coordinator whose store folder is `store_dir`, filling in images_filed as it goes;
// Unavailable at the timeout.
Status WaitUntilImagesFiled(const std::string& store_dir, DaySummary& summary, std::chrono::milliseconds timeout,
                            std::chrono::milliseconds poll = std::chrono::milliseconds(50));

// The folder of the running executable (/proc/self/exe).
Result<std::string> ExecutableDir();

// "../shared/seed/schedule-2024-04-22.csv" from the current folder if it exists, else the
// repository's tests/data copy found as <bin_dir>/../../tests/data (with a note to stderr).
Result<std::string> DefaultSchedulePath(const std::string& bin_dir);

}  // namespace capture::sim
