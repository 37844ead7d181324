#include "tests/coordinator/live_room.h"

#include <signal.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/fs.h"
#include "common/time_format.h"
#include "coordinator/status_client.h"
#include "coordinator/stream_id.h"
#include "tools/capture-sim/kit.h"
#include "tools/capture-sim/sim_jpeg.h"

namespace capture::coord::testing {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kStartTimeout = 10s;
constexpr auto kPollInterval = 5ms;  // between two looks at the coordinator's status

struct ClassOfStation {
  int station;
  const char* college;
  const char* class_name;
  const char* prefix;  // of student numbers
};
constexpr ClassOfStation kClasses[] = {
    {1, "文学院", "汉语言文学2101", "2021101"},
    {2, "外国语学院", "英语2101", "2021201"},
    {3, "化学化工学院", "化学2101", "2021301"},
};

std::string Field(const std::string& line, const std::string& key) {
  std::istringstream words(line);
  for (std::string word; words >> word;) {
    if (word.rfind(key + "=", 0) == 0) return word.substr(key.size() + 1);
  }
  return "";
}

Status Expect(bool ok, const std::string& what) { return ok ? Status::Ok() : Status::Unavailable(what); }

}  // namespace

LiveRoom::LiveRoom(int students_per_class) : key_(GenerateSiteKey()) {
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  day_ = FormatIso8601(now).substr(0, 10);
  std::string schedule = "station,college,class,headcount,start,end\n";
  std::string roster = "student_no,registry_no,college,class,name,masked_name\n";
  const char* surnames[] = {"张", "李", "王", "赵", "刘", "陈", "杨", "黄", "周", "吴"};
  for (const ClassOfStation& c : kClasses) {
    schedule += std::to_string(c.station) + "," + c.college + "," + c.class_name + "," +
                std::to_string(students_per_class) + ",00:00,23:59\n";
    for (int i = 1; i <= students_per_class; ++i) {
      char number[16], registry[24];
      std::snprintf(number, sizeof number, "%s%03d", c.prefix, i);
      std::snprintf(registry, sizeof registry, "10421%s%04d", c.prefix, i);
      Student s{number, registry, std::string(surnames[i % 10]) + "*明"};
      roster += s.student_no + "," + s.registry_no + "," + c.college + "," + c.class_name + "," +
                surnames[i % 10] + "小明," + s.masked_name + "\n";
      students_[c.station].push_back(std::move(s));
    }
  }
  if (!WriteFileDurably(path("schedule.csv"), schedule).ok() || !WriteFileDurably(path("roster.csv"), roster).ok() ||
      !SaveSiteKey(path("site.key"), key_).ok() || !sim::WriteStationKeys(path(""), {1, 2, 3}).ok()) {
    throw std::runtime_error("cannot write the room's files under " + path(""));
  }
}

LiveRoom::~LiveRoom() {
  // A failed test shows what the processes logged: the folder is removed with the room.
  if (!::testing::Test::HasFailure()) return;
  for (const std::string& log : {std::string("coordinator.log"), std::string("station-1.log"),
                                 std::string("station-2.log"), std::string("station-3.log")}) {
    if (auto text = ReadFile(path(log)); text.ok()) std::cerr << "---- " << log << "\n" << *text;
  }
}

Status LiveRoom::StartCoordinator(const std::vector<std::string>& extra_flags) {
  std::vector<std::string> argv = {CAPTURE_BIN_DIR "/coordinator",
                                   "--schedule", path("schedule.csv"),
                                   "--roster", path("roster.csv"),
                                   "--store", store(),
                                   "--day", day_,
                                   "--tz", "UTC",
                                   "--events", events_,
                                   "--control", control_,
                                   "--station-keys", path(sim::kStationKeysFile)};
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  auto child = sim::ChildProcess::Spawn(argv, path("coordinator.log"));
  if (!child.ok()) return child.status();
  coordinator_ = std::move(*child);
  auto ready = coordinator_->WaitForLine([](const std::string& l) { return l.rfind("ready ", 0) == 0; },
                                         kStartTimeout, "the coordinator's ready line");
  if (!ready.ok()) return ready.status();
  events_ = Field(*ready, "events");
  control_ = Field(*ready, "control");
  images_ = Field(*ready, "images");
  auto registrar = RegistrarEndpoint(control_, store());
  if (!registrar.ok()) return registrar.status();
  registrar_ = std::move(*registrar);
  return Status::Ok();
}

ClientSecurity LiveRoom::StationSecurity(int station) const {
  auto identity = Identity::Load(path(sim::StationKeyFile(station)));
  auto server = ReadPublicKey(store() + "/coordinator.pub");
  if (!identity.ok() || !server.ok()) throw std::runtime_error("no keys for station " + std::to_string(station));
  return {std::make_shared<const Identity>(*identity), *server};
}

Status LiveRoom::StopCoordinator() {
  if (Status s = coordinator_->Signal(SIGTERM); !s.ok()) return s;
  auto exit = coordinator_->Wait(kStartTimeout);
  if (!exit.ok()) return exit.status();
  coordinator_.reset();
  return Expect(exit->Succeeded(), "the coordinator ended with " + exit->ToString());
}

Status LiveRoom::KillCoordinator() {
  if (Status s = coordinator_->Signal(SIGKILL); !s.ok()) return s;
  auto exit = coordinator_->Wait(kStartTimeout);
  coordinator_.reset();
  return exit.ok() ? Status::Ok() : exit.status();
}

std::string LiveRoom::Code(const Student& student) const {
  return MintDemoCode(key_, student.registry_no, student.masked_name);
}

Status LiveRoom::StartAgent(int station, const std::vector<std::string>& first_lines, bool sim_time,
                            const std::vector<std::string>& flags) {
  const std::string name = "station-" + std::to_string(station);
  std::vector<std::string> argv = {CAPTURE_BIN_DIR "/station-agent",
                                   "--station", std::to_string(station),
                                   "--camera-dir", camera_dir(station), "--create-camera-dir",
                                   "--journal", journal_dir(station),
                                   "--site-key", path("site.key"),
                                   "--events", events_,
                                   "--control", control_};
  for (std::string& flag : sim::AgentKeyFlags(path(""), station, store() + "/coordinator.pub")) argv.push_back(flag);
  if (sim_time) argv.push_back("--sim-time");
  for (size_t i = 0; i + 1 < flags.size(); i += 2) {
    auto given = std::find(argv.begin(), argv.end(), flags[i]);
    if (given != argv.end()) {
      *(given + 1) = flags[i + 1];
    } else {
      argv.insert(argv.end(), {flags[i], flags[i + 1]});
    }
  }
  auto child = sim::ChildProcess::Spawn(argv, path(name + ".log"));
  if (!child.ok()) return child.status();
  Agent& agent = agents_[station];
  agent.process = std::move(*child);
  for (const std::string& line : first_lines) {
    if (Status s = agent.process->WriteLine(line); !s.ok()) return s;
  }
  auto ready = AwaitLine(station, {"ready station=" + std::to_string(station)}, kStartTimeout, agent.lines.size());
  if (!ready.ok()) return ready.status();
  agent.epoch_hex = Field(agent.lines[*ready].text, "epoch");
  agent.last_seq = std::stoull(Field(agent.lines[*ready].text, "last_seq"));
  return Status::Ok();
}

pid_t LiveRoom::coordinator_pid() const { return coordinator_ ? coordinator_->pid() : 0; }

Result<sim::ExitStatus> LiveRoom::WaitForAgentExit(int station, std::chrono::milliseconds timeout) {
  Agent& agent = agents_.at(station);
  Drain(station, std::chrono::milliseconds(200));
  auto exit = agent.process->Wait(timeout);
  if (!exit.ok()) return exit.status();
  Drain(station, std::chrono::milliseconds(0));
  agent.process.reset();
  return exit;
}

Status LiveRoom::StopAgent(int station) {
  Agent& agent = agents_.at(station);
  if (Status s = agent.process->Signal(SIGTERM); !s.ok()) return s;
  auto exit = agent.process->Wait(kStartTimeout);
  if (!exit.ok()) return exit.status();
  agent.process.reset();
  return Expect(exit->Succeeded(), "station " + std::to_string(station) + "'s agent ended with " + exit->ToString());
}

Status LiveRoom::Input(int station, const std::string& line) { return agents_.at(station).process->WriteLine(line); }

Result<std::string> LiveRoom::DropShot(int station, size_t min_bytes) {
  return WriteShot(station, [&](const std::string& comment) { return sim::PaddedJpeg(comment, min_bytes); });
}

Result<std::string> LiveRoom::WriteShotTakenAt(int station, int64_t taken_us, int utc_offset_minutes) {
  return WriteShot(station, [&](const std::string& comment) {
    return sim::MakeSimJpeg(sim::ExifDateTime(taken_us, utc_offset_minutes), comment);
  });
}

Result<std::string> LiveRoom::WriteShot(int station, const std::function<std::string(const std::string&)>& jpeg) {
  Agent& agent = agents_.at(station);
  char name[32];
  std::snprintf(name, sizeof name, "IMG_%04d.JPG", ++agent.shots);
  const std::string folder = camera_dir(station);
  if (Status s = MakeDirs(folder); !s.ok()) return s;
  // One open, write and close, as a tethered camera writes.
  std::ofstream out(folder + "/" + name, std::ios::binary);
  out << jpeg("station " + std::to_string(station) + " " + name + " " + path(""));
  out.close();
  if (!out) return Status::IoError("cannot write " + folder + "/" + name);
  return std::string(name);
}

Status LiveRoom::SignalAgent(int station, int signal) {
  if (::kill(agents_.at(station).process->pid(), signal) != 0) {
    return Status::IoError("cannot signal the agent of station " + std::to_string(station));
  }
  return Status::Ok();
}

bool LiveRoom::ReadOne(Agent& agent, Clock::time_point deadline) {
  auto line = agent.process->ReadLine(deadline);
  if (!line) return false;
  if (line->rfind("event ", 0) == 0) agent.last_seq = std::max<uint64_t>(agent.last_seq, std::stoull(Field(*line, "seq")));
  agent.lines.push_back({std::move(*line), Clock::now()});
  return true;
}

Result<size_t> LiveRoom::AwaitLine(int station, const std::vector<std::string>& words,
                                   std::chrono::milliseconds timeout, size_t from) {
  Agent& agent = agents_.at(station);
  const auto deadline = Clock::now() + timeout;
  for (size_t i = from;; ++i) {
    while (i >= agent.lines.size()) {
      if (!agent.process || !ReadOne(agent, deadline)) {
        std::string wanted;
        for (const auto& w : words) wanted += " '" + w + "'";
        std::string last;
        for (size_t j = agent.lines.size() > 12 ? agent.lines.size() - 12 : 0; j < agent.lines.size(); ++j) {
          last += "\n  " + agent.lines[j].text;
        }
        return Status::Unavailable("station " + std::to_string(station) + " printed no line with" + wanted +
                                   " within " + std::to_string(timeout.count()) + " ms; its last lines:" + last);
      }
    }
    bool all = true;
    for (const auto& w : words) all = all && agent.lines[i].text.find(w) != std::string::npos;
    if (all) return i;
  }
}

void LiveRoom::Drain(int station, std::chrono::milliseconds quiet) {
  Agent& agent = agents_.at(station);
  while (agent.process && ReadOne(agent, Clock::now() + quiet)) {
  }
}

Status LiveRoom::WaitUntilStored(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string missing;
  while (Clock::now() < deadline) {
    for (auto& [station, agent] : agents_) Drain(station, 0ms);
    auto status = QueryStatus(registrar_, 2000);
    if (!status.ok()) return status.status();
    missing.clear();
    for (const auto& [station, agent] : agents_) {
      uint64_t stored = 0;
      for (const auto& s : status->stations()) {
        if (static_cast<int>(s.station()) == station && EpochHex(s.epoch()) == agent.epoch_hex) {
          stored = s.stored_seq();
        }
      }
      if (stored < agent.last_seq) {
        missing += " station " + std::to_string(station) + " " + std::to_string(stored) + "/" +
                   std::to_string(agent.last_seq);
      }
    }
    if (missing.empty()) return Status::Ok();
    std::this_thread::sleep_for(kPollInterval);
  }
  return Status::Unavailable("not every event stored in time:" + missing);
}

Status LiveRoom::WaitForCounter(const std::string& name, uint64_t value, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  uint64_t seen = 0;
  while (Clock::now() < deadline) {
    auto counter = QueryCounter(registrar_, name, 2000);
    if (!counter.ok()) return counter.status();
    seen = *counter;
    if (seen >= value) return Status::Ok();
    std::this_thread::sleep_for(kPollInterval);
  }
  return Status::Unavailable("counter " + name + " is " + std::to_string(seen) + ", not " + std::to_string(value));
}

Result<CtlRun> LiveRoom::Capturectl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {CAPTURE_BIN_DIR "/capturectl"};
  argv.insert(argv.end(), args.begin(), args.end());
  const bool connects = std::find(args.begin(), args.end(), "--connect") != args.end();
  if (connects && std::find(args.begin(), args.end(), "--keys") == args.end()) {
    argv.insert(argv.end(), {"--keys", store()});
  }
  const std::string err_log = path("capturectl-" + std::to_string(++capturectl_runs_) + ".log");
  auto child = sim::ChildProcess::Spawn(argv, err_log);
  if (!child.ok()) return child.status();
  CtlRun run;
  const auto deadline = Clock::now() + 30s;
  while (auto line = (*child)->ReadLine(deadline)) run.out += (run.out.empty() ? "" : "\n") + *line;
  auto exit = (*child)->Wait(30s);
  if (!exit.ok()) return exit.status();
  run.exit_code = exit->signal == 0 ? exit->exit_code : -1;
  if (auto err = ReadFile(err_log); err.ok()) run.err = std::move(*err);
  return run;
}

}  // namespace capture::coord::testing
