#include "tools/capture-sim/day.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "common/collection_code.h"
#include "common/fs.h"
#include "common/identity.h"
#include "common/image_store.h"
#include "common/log.h"
#include "common/schedule.h"
#include "common/sha256.h"
#include "common/time_format.h"
#include "common/time_zone.h"
#include "coordinator/control_client.h"
#include "coordinator/status_client.h"
#include "tools/capture-sim/kit.h"
#include "tools/capture-sim/output_line.h"
#include "tools/capture-sim/process.h"
#include "tools/capture-sim/scenario.h"
#include "tools/capture-sim/truth.h"

namespace capture::sim {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kComponent = "capture-sim";
constexpr const char* kWorkMarker = ".capture-sim";
constexpr std::chrono::milliseconds kStartTimeout{30000};
constexpr std::chrono::milliseconds kStopTimeout{15000};
constexpr int kStatusQueryTimeoutMs = 2000;
// Simulated time runs about a thousand times faster than real time, and heartbeats are the
// coordinator's only evidence of a station's clock: sent at the default 250 ms they would carry
// station times minutes apart and read as clocks that disagree.
constexpr int kHeartbeatMs = 10;
constexpr auto kLockstepPoll = std::chrono::milliseconds(1);

std::string OffsetText(int minutes) {
  char buf[8];
  const int a = std::abs(minutes);
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", minutes < 0 ? '-' : '+', a / 60 % 100, a % 60);
  return buf;
}

// Wipes `dir` for a fresh day, but only if it is empty, missing, or a previous work folder.
Status PrepareWorkDir(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec) && !fs::exists(fs::path(dir) / kWorkMarker, ec)) {
    return Status::InvalidArgument("work folder " + dir + " is not empty and was not made by capture-sim (no " +
                                   kWorkMarker + " in it): refusing to wipe it");
  }
  fs::remove_all(dir, ec);
  if (ec) return Status::IoError("cannot wipe work folder " + dir + ": " + ec.message());
  if (Status st = MakeDirs(dir + "/logs"); !st.ok()) return st;
  return WriteFileDurably(dir + "/" + kWorkMarker, "work folder of capture-sim: wiped on every run\n");
}

// Writes the image as a tethered camera does: one open, write, close, no rename or sync.
Status WriteCameraFile(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError("cannot create " + path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Status::IoError("cannot write " + path + ": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return Status::IoError("cannot close " + path + ": " + std::strerror(errno));
  return Status::Ok();
}

// A running coordinator started on a kit's roster takes anyone not on it for a stranger: the day
// must bring no one else.
Status CheckKitRoster(const std::string& path, const SyntheticRoster& day, uint64_t seed) {
  if (!fs::exists(path)) return Status::Ok();  // a kit of keys only: its coordinator's roster is the user's affair
  auto kit = LoadRoster(path);
  if (!kit.ok()) return kit.status();
  std::set<std::string> enrolled;
  for (const RosterStudent& s : kit->students) enrolled.insert(s.registry_no);
  size_t strangers = 0;
  for (const SimStudent& s : day.students) strangers += enrolled.count(s.student.registry_no) == 0;
  if (strangers == 0) return Status::Ok();
  return Status::InvalidArgument(std::to_string(strangers) + " of the day's " + std::to_string(day.students.size()) +
                                 " students are not on the kit's roster " + path +
                                 ": the coordinator would take them for strangers. Make the kit for this day: "
                                 "capture-sim kit DIR --seed " + std::to_string(seed) + " with the same --schedule");
}

bool IsType(const std::string& line, std::string_view type) {
  return line.size() > type.size() && line.compare(0, type.size(), type) == 0 && line[type.size()] == ' ';
}

// One station's agent during the day: plays that station's actions one at a time and checks that
// the agent journals the event each one asks for. Used by the playing thread only.
Result<OutputLine> AwaitReady(ChildProcess& child) {
  auto line = child.WaitForLine([](const std::string& l) { return IsType(l, "ready"); }, kStartTimeout,
                                "the ready line");
  if (!line.ok()) return line.status();
  return ParseOutputLine(*line);
}

class StationPlayer {
 public:
  struct Context {
    std::vector<std::string> argv;  // the agent's, to start it again on its journal
    std::string log;                // its stderr
    std::string camera_dir;
    int utc_offset_minutes;
    std::chrono::milliseconds step_timeout;
    std::vector<AgentHold> holds;  // the sim-time ones: the agent is stopped, its inputs go on
    std::optional<size_t> kill_after;  // test hook: SIGKILL the agent after this action
  };

  StationPlayer(Context ctx, StationSummary& summary) : ctx_(std::move(ctx)), summary_(summary) {}

  // Starts the agent and waits for its ready line, which it returns. Started again, its first input
  // is the station's time, so that the camera files it finds at its start are read in that time.
  Result<OutputLine> Start() {
    auto child = ChildProcess::Spawn(ctx_.argv, ctx_.log);
    if (!child.ok()) return child.status();
    agent_ = std::move(*child);
    agent_clock_.reset();
    if (scenario_clock_) {
      if (Status st = SetClock(*scenario_clock_); !st.ok()) return st;
    }
    return AwaitReady(*agent_);
  }

  ChildProcess& agent() { return *agent_; }

  // An agent that ended by itself (killed, crashed) is reaped and started again on the same
  // journal and camera folder, as the station's operator would; OK when it runs (again), else why not.
  Status EnsureRunning() {
    auto exit = agent_->Wait(std::chrono::milliseconds(200));
    if (!exit.ok()) return Status::Ok();  // still running
    LogWarn(kComponent, "station " + std::to_string(summary_.station) + "'s agent ended (" + exit->ToString() +
                            "); starting it again on its journal");
    ++summary_.restarts;
    auto ready = Start();
    if (!ready.ok()) return Status::Unavailable("the restarted agent: " + ready.status().message());
    summary_.events_sent = std::max(summary_.events_sent, ready->GetNumber("last_seq").value_or(0));
    return Status::Ok();
  }

  // Plays the station's action number `index`. While the agent is held (stopped), the inputs go
  // on and the events they ask for are awaited, in the same order, once it continues.
  Status Play(const StationAction& action, size_t index) {
    if (next_hold_ < ctx_.holds.size() && ctx_.holds[next_hold_].begin == index) {
      if (Status st = agent_->Signal(SIGSTOP); !st.ok()) return st;
      held_ = true;
    }
    const uint64_t journaled_before = summary_.events_sent;
    if (Status st = Give(action); !st.ok()) {
      const int restarts = summary_.restarts;
      if (held_) return st;
      if (Status running = EnsureRunning(); !running.ok()) return running;
      if (summary_.restarts == restarts) return st;  // the agent runs: the step failed for another reason
      if (Status again = Retry(action, journaled_before); !again.ok()) return again;
    }
    if (ctx_.kill_after == index) {
      if (Status st = agent_->Signal(SIGKILL); !st.ok()) return st;
    }
    if (!held_ || ctx_.holds[next_hold_].end != index + 1) return Status::Ok();
    ++next_hold_;
    held_ = false;
    if (Status st = agent_->Signal(SIGCONT); !st.ok()) return st;
    for (const Expected& e : std::exchange(awaited_, {})) {
      if (Status st = AwaitEvent(e.kind, e.key, e.value); !st.ok()) return st;
    }
    return Status::Ok();
  }

  // An idle station's clock follows the day, so that its heartbeats do not read as a clock left
  // behind (or, before its first action, as the system clock); its next action sets the
  // scenario's clock again first.
  Status KeepClock(MicrosSinceEpoch now) {
    if (agent_clock_ && *agent_clock_ + kIdleClockSlack >= now) return Status::Ok();
    if (Status st = SetClock(now); !st.ok()) {
      if (Status running = EnsureRunning(); !running.ok()) return running;
      return SetClock(now);
    }
    return Status::Ok();
  }

 private:
  static constexpr MicrosSinceEpoch kIdleClockSlack = 20'000'000;

  struct Expected {
    wire::EventKind kind;
    std::string key;
    std::string value;
  };

  Status Give(const StationAction& action) {
    if (action.kind == StationAction::Kind::kTime) {
      scenario_clock_ = action.station_time;
      return SetClock(action.station_time);
    }
    // KeepClock may have moved the agent's clock on while the station was idle.
    if (scenario_clock_ && agent_clock_ != scenario_clock_) {
      if (Status st = SetClock(*scenario_clock_); !st.ok()) return st;
    }
    Expected expected{action.expect, "", ""};
    if (action.kind == StationAction::Kind::kImage) {
      if (Status st = WriteCameraFile(ctx_.camera_dir + "/" + action.file_name, action.bytes); !st.ok()) return st;
      expected = {action.expect, "file", action.file_name};
    } else if (Status st = agent_->WriteLine(action.line); !st.ok()) {
      return st;
    }
    if (held_) {
      awaited_.push_back(std::move(expected));
      return Status::Ok();
    }
    return AwaitEvent(expected.kind, expected.key, expected.value);
  }

  // The action whose step failed when the agent ended, once it runs again: done if its event is in
  // the journal (the ready line's last seq is past what was journaled before it), else given again;
  // a camera file is in the folder already, and the agent takes it in at its start.
  Status Retry(const StationAction& action, uint64_t journaled_before) {
    if (action.kind == StationAction::Kind::kTime) return Status::Ok();  // EnsureRunning set the clock
    if (summary_.events_sent > journaled_before) return Status::Ok();
    if (action.kind == StationAction::Kind::kImage) return AwaitEvent(action.expect, "file", action.file_name);
    return Give(action);
  }

  Status SetClock(MicrosSinceEpoch t) {
    agent_clock_ = t;
    return agent_->WriteLine("!time " + FormatIso8601(t, ctx_.utc_offset_minutes));
  }

  // Waits for the agent's next event line and checks it is the one our input asked for: the
  // player drives one input at a time, so any other event means the agent saw something else.
  Status AwaitEvent(wire::EventKind expect, std::string_view key, const std::string& value) {
    const std::string kind = wire::EventKind_Name(expect);
    const std::string what = "event kind=" + kind + (key.empty() ? "" : " " + std::string(key) + "=" + value);
    auto line = agent_->WaitForLine(
        [this](const std::string& l) {
          if (IsType(l, "alert")) {
            ++summary_.alerts;
            LogWarn(kComponent, "station " + std::to_string(summary_.station) + " agent says: " + l);
          }
          return IsType(l, "event");
        },
        ctx_.step_timeout, what);
    if (!line.ok()) return line.status();
    const OutputLine event = ParseOutputLine(*line);
    if (auto seq = event.GetNumber("seq")) summary_.events_sent = std::max(summary_.events_sent, *seq);
    if (event.Get("kind") != kind || (!key.empty() && event.Get(key) != value)) {
      return Status::Corruption("expected " + what + " but the agent printed \"" + *line + "\"");
    }
    if (auto sha256 = event.Get("sha256"); sha256 && expect == wire::SHOT_TAKEN) summary_.images.insert(*sha256);
    return Status::Ok();
  }

  std::unique_ptr<ChildProcess> agent_;
  Context ctx_;
  StationSummary& summary_;
  std::optional<MicrosSinceEpoch> scenario_clock_;  // as the scenario's `!time` lines set it
  std::optional<MicrosSinceEpoch> agent_clock_;     // as we last set the agent's
  size_t next_hold_ = 0;                            // into ctx_.holds
  bool held_ = false;                               // the agent is stopped now
  std::vector<Expected> awaited_;                   // the events asked for while it was
};


// Stops a child we started with SIGTERM; a child that does not exit 0 breaks its contract.
std::string Stop(ChildProcess& child, const std::string& label) {
  if (Status st = child.Signal(SIGTERM); !st.ok()) return label + ": " + st.message();
  auto exit = child.Wait(kStopTimeout);
  if (!exit.ok()) return label + ": " + exit.status().message();
  if (!exit->Succeeded()) return label + " did not exit cleanly on SIGTERM: " + exit->ToString();
  return "";
}

void AppendError(std::string& errors, const std::string& error) {
  if (error.empty()) return;
  errors += errors.empty() ? error : "; " + error;
}

// Plays every station's actions in the one merged order a real day would have (station time, ties
// by station), one action at a time, so the coordinator commits events in that order too. A
// station whose step fails stops; the others play on.
// With `lockstep`, each event is stored at the coordinator before the next input goes out.
void PlayScenario(const Scenario& scenario, std::vector<std::unique_ptr<StationPlayer>>& players,
                  DaySummary& summary, int utc_offset_minutes, const StatusQuery* lockstep,
                  std::chrono::milliseconds step_timeout, std::FILE* out) {
  std::vector<size_t> next_class(scenario.stations.size(), 0);
  const std::vector<ActionRef> order = MergedOrder(scenario);
  if (!order.empty()) {
    const ActionRef& first = order.front();
    const MicrosSinceEpoch start = scenario.stations[first.station_index].actions[first.action_index].station_time;
    for (size_t j = 0; j < players.size(); ++j) {
      if (Status st = players[j]->KeepClock(start); !st.ok()) summary.stations[j].error = st.message();
    }
  }
  for (const ActionRef& ref : order) {
    const size_t i = ref.station_index;
    StationSummary& station = summary.stations[i];
    if (!station.error.empty()) continue;
    const StationScript& script = scenario.stations[i];
    const StationAction& action = script.actions[ref.action_index];
    for (size_t j = 0; j < players.size(); ++j) {
      if (j == i || !summary.stations[j].error.empty()) continue;
      if (Status st = players[j]->KeepClock(action.station_time); !st.ok()) summary.stations[j].error = st.message();
    }
    Status st = players[i]->Play(action, ref.action_index);
    if (st.ok() && lockstep != nullptr && action.kind != StationAction::Kind::kTime) {
      st = WaitUntilStored(*lockstep, summary, step_timeout, kLockstepPoll);
    }
    if (!st.ok()) {
      station.error = st.message();
      LogError(kComponent, "station " + std::to_string(script.station) + " stopped: " + st.message());
      continue;
    }
    while (next_class[i] < script.classes.size() && script.classes[next_class[i]].last_action == ref.action_index) {
      const ClassProgress& c = script.classes[next_class[i]++];
      station.photographed += c.photographed;  // students, not images: retakes and test shots do not count
      std::fprintf(out, "progress station=%d college=\"%s\" class=\"%s\" photographed=%d/%d absent=%d sim_time=%s\n",
                   script.station, c.college.c_str(), c.class_name.c_str(), c.photographed, c.present, c.absent,
                   FormatIso8601(c.end_time, utc_offset_minutes).c_str());
      std::fflush(out);
    }
  }
}

}  // namespace

Status WaitUntilStored(const StatusQuery& query, DaySummary& summary, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds poll) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto reply = query();
    if (reply.ok()) {
      bool all = true;
      for (StationSummary& s : summary.stations) {
        for (const wire::StationStatus& st : reply->stations()) {
          if (static_cast<int>(st.station()) == s.station && st.epoch() == s.epoch) s.events_stored = st.stored_seq();
        }
        all = all && s.events_stored >= s.events_sent;
      }
      if (all) return Status::Ok();
    }
    if (Clock::now() >= deadline) {
      return Status::Unavailable("the coordinator had not stored every event after " + std::to_string(timeout.count()) +
                                 " ms" + (reply.ok() ? "" : " (last status query: " + reply.status().message() + ")"));
    }
    std::this_thread::sleep_for(poll);
  }
}

Status WaitUntilImagesFiled(const std::string& store_dir, DaySummary& summary, std::chrono::milliseconds timeout,
                            std::chrono::milliseconds poll) {
  const ImageStore store(store_dir);
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    bool all = true;
    for (StationSummary& s : summary.stations) {
      s.images_not_filed.emplace();
      for (const std::string& hex : s.images) {
        const auto sha = Sha256FromHex(hex);
        if (!sha || !store.Has(*sha)) s.images_not_filed->insert(hex);
      }
      all = all && s.filed_all();
    }
    if (all) return Status::Ok();
    if (Clock::now() >= deadline) {
      return Status::Unavailable("the coordinator had not filed every image in " + store_dir + "/images after " +
                                 std::to_string(timeout.count()) + " ms");
    }
    std::this_thread::sleep_for(poll);
  }
}

namespace {

// The registrar's close-day once the day is stored, so that the stations' last classes move on: as
// the registrar, whose key and token are in the coordinator's store.
Status CloseDay(const std::string& control, const std::string& store_dir, bool insecure, FILE* out) {
  if (store_dir.empty()) {
    std::fprintf(out, "not closing the day: the coordinator's store is unknown (give --coordinator-store), so its "
                      "stations' last classes stay open until its clock ends them\n");
    return Status::Ok();
  }
  coord::ControlEndpoint registrar{control, {}};
  if (!insecure) {
    auto endpoint = coord::RegistrarEndpoint(control, store_dir);
    if (!endpoint.ok()) return endpoint.status();
    registrar = std::move(*endpoint);
  }
  auto token = coord::ReadRegistrarToken(store_dir + "/registrar.token");
  if (!token.ok()) return token.status();
  auto reply = coord::RequestCloseDay(registrar, 0, kDayClosedBy, *token, kStatusQueryTimeoutMs);
  if (!reply.ok()) return Status::Unavailable("closing the day: " + reply.status().message());
  if (!reply->ok()) return Status::InvalidArgument("the coordinator refused to close the day: " + reply->message());
  std::fprintf(out, "closed day commit_index=%llu raised=%u\n", static_cast<unsigned long long>(reply->commit_index()),
               reply->raised());
  std::fflush(out);
  return Status::Ok();
}

}  // namespace

Result<std::string> ExecutableDir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return Status::IoError("cannot read /proc/self/exe: " + ec.message());
  return exe.parent_path().string();
}

Result<std::string> DefaultSchedulePath(const std::string& bin_dir) {
  const std::string seed = "../shared/seed/schedule-2024-04-22.csv";
  if (fs::exists(seed)) return seed;
  const std::string fallback =
      (fs::path(bin_dir) / "../../tests/data/schedule-2024-04-22.csv").lexically_normal().string();
  if (!fs::exists(fallback)) {
    return Status::NotFound("no schedule: neither " + seed + " nor " + fallback + " exists (use --schedule)");
  }
  LogInfo(kComponent, "note: " + seed + " not found, using the repository's copy " + fallback);
  return fallback;
}

Result<DaySummary> PlayDay(const DayOptions& o, std::FILE* out) {
  const auto started = Clock::now();
  if (o.events_endpoint.empty() != o.control_endpoint.empty()) {
    return Status::InvalidArgument("give both --events and --control to use a running coordinator, or neither");
  }
  if (o.time_per_student_s < kMinTimePerStudentSeconds) {
    return Status::InvalidArgument("time per student must be at least " + std::to_string(kMinTimePerStudentSeconds) +
                                   " s (the shot comes " + std::to_string(kShotDelaySeconds) + " s after the code)");
  }
  auto schedule = LoadSchedule(o.schedule_path);
  if (!schedule.ok()) return schedule.status();
  auto day = ParseDay(o.day);
  if (!day.ok()) return day.status();
  auto offset = UtcOffsetMinutes(o.tz, *day);
  if (!offset.ok()) return offset.status();
  auto roster = MakeScenarioRoster(*schedule, o.seed, o.absent_share);
  if (!roster.ok()) return roster.status();
  ScenarioOptions so;
  so.seed = o.seed;
  so.faults = o.faults;
  so.benign = o.benign;
  so.local_midnight = LocalMidnight(*day, *offset);
  so.utc_offset_minutes = *offset;
  so.time_per_student_s = o.time_per_student_s;
  so.site_key = GenerateSiteKey();
  auto scenario = BuildScenario(*schedule, *roster, so);
  if (!scenario.ok()) return scenario.status();
  const std::string work = fs::absolute(o.work_dir).lexically_normal().string();
  if (Status st = PrepareWorkDir(work); !st.ok()) return st;
  if (Status st = WriteKit(work, *roster, so.site_key, schedule->Stations()); !st.ok()) return st;
  const bool own_coordinator = o.events_endpoint.empty();
  const std::string keys_dir = own_coordinator || o.keys_dir.empty() ? work : o.keys_dir;
  std::string coordinator_key = o.coordinator_key;
  if (coordinator_key.empty()) coordinator_key = (own_coordinator ? work + "/store" : o.coordinator_store) + "/coordinator.pub";
  if (!own_coordinator && !o.insecure && (o.keys_dir.empty() || (o.coordinator_key.empty() && o.coordinator_store.empty()))) {
    return Status::InvalidArgument(
        "a running coordinator admits only enrolled stations: give --keys DIR (the kit whose station-keys.csv it "
        "was started with) and --coordinator-store DIR or --coordinator-key FILE (or --insecure for a plain-text one)");
  }
  if (!own_coordinator && !o.keys_dir.empty()) {
    if (Status st = CheckKitRoster(o.keys_dir + "/" + kRosterFile, *roster, o.seed); !st.ok()) return st;
  }
  if (!o.truth_dir.empty()) {
    if (Status st = WriteTruth(o.truth_dir, *scenario, /*in_process=*/false); !st.ok()) return st;
  }

  DaySummary summary;
  int absent = 0;
  for (const StationScript& script : scenario->stations) {
    StationSummary s;
    s.station = script.station;
    for (const ClassProgress& c : script.classes) {
      s.students += c.present + c.absent;
      s.absent += c.absent;
    }
    absent += s.absent;
    summary.stations.push_back(s);
  }
  std::fprintf(out, "playing day=%s tz=%s utc_offset=%s stations=%zu students=%zu absent=%d faults=%zu work=%s\n",
               o.day.c_str(), o.tz.c_str(), OffsetText(*offset).c_str(), scenario->stations.size(),
               roster->students.size(), absent, scenario->faults.size(), work.c_str());
  std::fflush(out);
  std::unique_ptr<ChildProcess> coordinator;
  std::vector<std::unique_ptr<StationPlayer>> players;
  // Every exit from here stops what was started, agents first, so their logs end cleanly.
  auto finish = [&](const std::string& error) {
    AppendError(summary.error, error);
    for (size_t i = 0; i < players.size(); ++i) {
      AppendError(summary.error,
                  Stop(players[i]->agent(), "station-agent " + std::to_string(summary.stations[i].station)));
    }
    if (coordinator) AppendError(summary.error, Stop(*coordinator, "coordinator"));
    summary.elapsed_seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return summary;
  };

  std::string events = o.events_endpoint, control = o.control_endpoint;
  if (events.empty()) {
    std::vector<std::string> argv = {o.bin_dir + "/coordinator", "--store", work + "/store", "--schedule",
                                     o.schedule_path, "--roster", work + "/" + kRosterFile, "--station-keys",
                                     work + "/" + kStationKeysFile, "--sim-time", "--events", "tcp://127.0.0.1:*",
                                     "--control", "tcp://127.0.0.1:*"};
    if (o.insecure) argv.push_back("--insecure");
    auto child = ChildProcess::Spawn(argv, work + "/logs/coordinator.log");
    if (!child.ok()) return finish(child.status().message());
    coordinator = std::move(child).value();
    auto ready = AwaitReady(*coordinator);
    if (!ready.ok()) return finish("coordinator: " + ready.status().message());
    events = ready->Get("events").value_or("");
    control = ready->Get("control").value_or("");
    if (events.empty() || control.empty()) return finish("the coordinator's ready line has no events= or control=");
    std::fprintf(out, "started coordinator pid=%d events=%s control=%s\n", coordinator->pid(), events.c_str(),
                 control.c_str());
  } else {
    std::fprintf(out, "using coordinator events=%s control=%s\n", events.c_str(), control.c_str());
  }
  std::fflush(out);

  for (size_t i = 0; i < scenario->stations.size(); ++i) {
    StationSummary& s = summary.stations[i];
    const std::string n = std::to_string(s.station);
    const std::string station_dir = work + "/station-" + n;
    if (Status st = MakeDirs(station_dir + "/camera"); !st.ok()) return finish(st.message());
    std::vector<std::string> argv = {o.bin_dir + "/station-agent", "--station", n, "--camera-dir",
                                     station_dir + "/camera", "--journal", station_dir + "/journal", "--site-key",
                                     work + "/" + kSiteKeyFile, "--sim-time", "--heartbeat-ms",
                                     std::to_string(kHeartbeatMs), "--events", events, "--control", control};
    if (o.insecure) {
      argv.push_back("--insecure");
    } else {
      for (std::string& flag : AgentKeyFlags(keys_dir, s.station, coordinator_key)) argv.push_back(std::move(flag));
    }
    std::vector<AgentHold> holds;
    for (const AgentHold& hold : scenario->stations[i].holds) {
      if (!hold.real_time) holds.push_back(hold);
    }
    std::optional<size_t> kill_after;
    if (o.test_kill_station == s.station) kill_after = o.test_kill_after_action;
    players.push_back(std::make_unique<StationPlayer>(
        StationPlayer::Context{std::move(argv), work + "/logs/station-" + n + ".log", station_dir + "/camera", *offset,
                               o.step_timeout, std::move(holds), kill_after},
        s));
    auto ready = players.back()->Start();
    if (!ready.ok()) return finish("station " + n + ": " + ready.status().message());
    s.epoch = ready->GetNumber("epoch", /*hex=*/true).value_or(0);
    s.events_sent = ready->GetNumber("last_seq").value_or(0);
    std::fprintf(out, "started station-agent station=%d pid=%d epoch=%016llx\n", s.station,
                 players.back()->agent().pid(), static_cast<unsigned long long>(s.epoch));
  }
  std::fflush(out);

  // Status is answered to any admitted key: the simulator asks as the first station.
  coord::ControlEndpoint status_endpoint{control, {}};
  if (!o.insecure) {
    auto identity = Identity::Load(keys_dir + "/" + StationKeyFile(summary.stations.front().station));
    if (!identity.ok()) return finish(identity.status().message());
    auto server = ReadPublicKey(coordinator_key);
    if (!server.ok()) return finish(server.status().message());
    status_endpoint.security = {std::make_shared<const Identity>(std::move(*identity)), *server};
  }
  const StatusQuery query = [&] { return coord::QueryStatus(status_endpoint, kStatusQueryTimeoutMs); };
  PlayScenario(*scenario, players, summary, *offset, o.lockstep ? &query : nullptr, o.step_timeout, out);
  // An agent that ended after its last action still holds events or images to send.
  for (size_t i = 0; i < players.size(); ++i) {
    if (Status st = players[i]->EnsureRunning(); !st.ok() && summary.stations[i].error.empty()) {
      summary.stations[i].error = st.message();
    }
  }

  Status stored = WaitUntilStored(query, summary, o.store_timeout);
  // The record and the photos leave the room together: the agents stop only once the coordinator
  // has both, where its store is known.
  const std::string coordinator_store = coordinator ? work + "/store" : o.coordinator_store;
  if (stored.ok() && !coordinator_store.empty()) {
    stored = WaitUntilImagesFiled(coordinator_store, summary, o.store_timeout);
  }
  if (stored.ok()) stored = CloseDay(control, coordinator_store, o.insecure, out);
  return finish(stored.ok() ? "" : stored.message());
}

}  // namespace capture::sim
