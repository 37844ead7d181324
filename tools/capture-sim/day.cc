#include "tools/capture-sim/day.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "common/collection_code.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/schedule.h"
#include "common/time_format.h"
#include "common/time_zone.h"
#include "coordinator/status_client.h"
#include "tools/capture-sim/day_plan.h"
#include "tools/capture-sim/kit.h"
#include "tools/capture-sim/output_line.h"
#include "tools/capture-sim/process.h"
#include "tools/capture-sim/sim_jpeg.h"

namespace capture::sim {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kComponent = "capture-sim";
constexpr const char* kWorkMarker = ".capture-sim";
constexpr std::chrono::milliseconds kStartTimeout{30000};
constexpr std::chrono::milliseconds kStopTimeout{15000};
constexpr int kStatusQueryTimeoutMs = 2000;
constexpr auto kStorePollInterval = std::chrono::milliseconds(20);
constexpr unsigned kMaxShotNumber = 9999;  // camera counters wrap 9999 → 0001

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

bool IsType(const std::string& line, std::string_view type) {
  return line.size() > type.size() && line.compare(0, type.size(), type) == 0 && line[type.size()] == ' ';
}

// One station's agent and what the day asks of it. Owned and used by that station's thread only.
class StationPlayer {
 public:
  struct Context {
    const SiteKey* key;  // outlives the player
    std::string camera_dir;
    int utc_offset_minutes;
    uint64_t seed;
    std::chrono::milliseconds step_timeout;
    std::FILE* out;
  };

  StationPlayer(std::unique_ptr<ChildProcess> agent, Context ctx, StationSummary& summary)
      : agent_(std::move(agent)), ctx_(std::move(ctx)), summary_(summary) {}

  ChildProcess& agent() { return *agent_; }

  // Plays every class of the plan; stops at the first step that fails and records why.
  void Play(const StationPlan& plan) {
    for (const ClassPlan& c : plan.classes) {
      if (Status st = PlayClass(c); !st.ok()) {
        summary_.error = st.message();
        LogError(kComponent, "station " + std::to_string(plan.station) + " stopped: " + st.message());
        return;
      }
    }
  }

 private:
  Status PlayClass(const ClassPlan& c) {
    int photographed = 0;
    for (const PlannedStudent& p : c.present) {
      const RosterStudent& s = p.student.student;
      if (Status st = SetTime(p.code_time); !st.ok()) return st;
      if (Status st = agent_->WriteLine(MintDemoCode(*ctx_.key, s.registry_no, s.masked_name)); !st.ok()) return st;
      if (Status st = AwaitEvent("CODE_READ", "registry_no", s.registry_no); !st.ok()) return st;

      // No line acknowledges !time, so an agent that handles the camera before stdin in one wake-up
      // may stamp this shot with the code's time; the image's EXIF time is the shot time either way.
      if (Status st = SetTime(p.shot_time); !st.ok()) return st;
      const std::string file = NextShotFile();
      const std::string jpeg =
          MakeSimJpeg(ExifDateTime(p.shot_time, ctx_.utc_offset_minutes),
                      SimJpegComment(ctx_.seed, summary_.station, shots_taken_));
      if (Status st = WriteCameraFile(ctx_.camera_dir + "/" + file, jpeg); !st.ok()) return st;
      if (Status st = AwaitEvent("SHOT_TAKEN", "file", file); !st.ok()) return st;
      ++photographed;
      ++summary_.photographed;
    }
    if (!c.absent.empty()) {
      if (Status st = SetTime(c.end_time); !st.ok()) return st;
    }
    for (const SimStudent& s : c.absent) {
      if (Status st = agent_->WriteLine("!absent " + s.student.student_no); !st.ok()) return st;
      if (Status st = AwaitEvent("MARK_ABSENT", "student_no", s.student.student_no); !st.ok()) return st;
    }
    std::fprintf(ctx_.out, "progress station=%d college=\"%s\" class=\"%s\" photographed=%d/%zu absent=%zu sim_time=%s\n",
                 summary_.station, c.scheduled.college.c_str(), c.scheduled.class_name.c_str(), photographed,
                 c.present.size(), c.absent.size(), FormatIso8601(c.end_time, ctx_.utc_offset_minutes).c_str());
    std::fflush(ctx_.out);
    return Status::Ok();
  }

  Status SetTime(MicrosSinceEpoch t) {
    return agent_->WriteLine("!time " + FormatIso8601(t, ctx_.utc_offset_minutes));
  }

  std::string NextShotFile() {
    ++shots_taken_;
    char name[32];
    std::snprintf(name, sizeof name, "IMG_%04u.JPG", static_cast<unsigned>((shots_taken_ - 1) % kMaxShotNumber + 1));
    return name;
  }

  // Waits for the agent's next event line and checks it is the one our input asked for: the
  // player drives one input at a time, so any other event means the agent saw something else.
  Status AwaitEvent(std::string_view kind, std::string_view key, const std::string& value) {
    const std::string what = "event kind=" + std::string(kind) + " " + std::string(key) + "=" + value;
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
    if (event.Get("kind") != kind || event.Get(key) != value) {
      return Status::Corruption("expected " + what + " but the agent printed \"" + *line + "\"");
    }
    return Status::Ok();
  }

  std::unique_ptr<ChildProcess> agent_;
  Context ctx_;
  StationSummary& summary_;
  uint64_t shots_taken_ = 0;
};

Result<OutputLine> AwaitReady(ChildProcess& child) {
  auto line = child.WaitForLine([](const std::string& l) { return IsType(l, "ready"); }, kStartTimeout,
                                "the ready line");
  if (!line.ok()) return line.status();
  return ParseOutputLine(*line);
}

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

}  // namespace

Status WaitUntilStored(const StatusQuery& query, DaySummary& summary, std::chrono::milliseconds timeout) {
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
    std::this_thread::sleep_for(kStorePollInterval);
  }
}

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
  auto roster = MakeSyntheticRoster(*schedule, o.seed, o.absent_share);
  if (!roster.ok()) return roster.status();
  const std::string work = fs::absolute(o.work_dir).lexically_normal().string();
  if (Status st = PrepareWorkDir(work); !st.ok()) return st;
  const SiteKey key = GenerateSiteKey();
  if (Status st = WriteKit(work, *roster, key); !st.ok()) return st;

  PlanTiming timing;
  timing.local_midnight = LocalMidnight(*day, *offset);
  timing.time_per_student = MicrosSinceEpoch{o.time_per_student_s} * 1'000'000;
  timing.shot_delay = MicrosSinceEpoch{kShotDelaySeconds} * 1'000'000;
  const std::vector<StationPlan> plans = PlanDay(*schedule, *roster, timing);

  DaySummary summary;
  int absent = 0;
  for (const StationPlan& p : plans) {
    StationSummary s;
    s.station = p.station;
    s.students = p.students();
    s.absent = p.absent();
    absent += s.absent;
    summary.stations.push_back(s);
  }
  std::fprintf(out, "playing day=%s tz=%s utc_offset=%s stations=%zu students=%zu absent=%d work=%s\n", o.day.c_str(),
               o.tz.c_str(), OffsetText(*offset).c_str(), plans.size(), roster->students.size(), absent, work.c_str());
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
    auto child = ChildProcess::Spawn({o.bin_dir + "/coordinator", "--store", work + "/store", "--schedule",
                                      o.schedule_path, "--roster", work + "/" + kRosterFile, "--sim-time", "--events",
                                      "tcp://127.0.0.1:*", "--control", "tcp://127.0.0.1:*"},
                                     work + "/logs/coordinator.log");
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

  for (size_t i = 0; i < plans.size(); ++i) {
    StationSummary& s = summary.stations[i];
    const std::string n = std::to_string(s.station);
    const std::string station_dir = work + "/station-" + n;
    if (Status st = MakeDirs(station_dir + "/camera"); !st.ok()) return finish(st.message());
    auto child = ChildProcess::Spawn({o.bin_dir + "/station-agent", "--station", n, "--camera-dir",
                                      station_dir + "/camera", "--journal", station_dir + "/journal", "--site-key",
                                      work + "/" + kSiteKeyFile, "--sim-time", "--events", events, "--control",
                                      control},
                                     work + "/logs/station-" + n + ".log");
    if (!child.ok()) return finish(child.status().message());
    players.push_back(std::make_unique<StationPlayer>(
        std::move(child).value(),
        StationPlayer::Context{&key, station_dir + "/camera", *offset, o.seed, o.step_timeout, out}, s));
    auto ready = AwaitReady(players.back()->agent());
    if (!ready.ok()) return finish("station " + n + ": " + ready.status().message());
    s.epoch = ready->GetNumber("epoch", /*hex=*/true).value_or(0);
    s.events_sent = ready->GetNumber("last_seq").value_or(0);
    std::fprintf(out, "started station-agent station=%d pid=%d epoch=%016llx\n", s.station,
                 players.back()->agent().pid(), static_cast<unsigned long long>(s.epoch));
  }
  std::fflush(out);

  {
    std::vector<std::jthread> threads;
    for (size_t i = 0; i < plans.size(); ++i) {
      threads.emplace_back([&player = *players[i], &plan = plans[i]] { player.Play(plan); });
    }
  }

  Status stored = WaitUntilStored([&] { return coord::QueryStatus(control, kStatusQueryTimeoutMs); }, summary,
                                  o.store_timeout);
  return finish(stored.ok() ? "" : stored.message());
}

}  // namespace capture::sim
