#include "tools/bench/images.h"

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include "common/collection_code.h"
#include "common/fs.h"
#include "coordinator/status_client.h"
#include "tools/capture-sim/kit.h"
#include "tools/capture-sim/output_line.h"
#include "tools/capture-sim/process.h"
#include "tools/capture-sim/sim_jpeg.h"

namespace capture::bench {
namespace {

using Clock = std::chrono::steady_clock;
using sim::ChildProcess;
constexpr auto kTimeout = std::chrono::seconds(300);

Result<std::string> AwaitReady(ChildProcess& child, const char* what) {
  return child.WaitForLine([](const std::string& l) { return l.rfind("ready ", 0) == 0; }, kTimeout, what);
}

uint64_t ImagesStored(const coord::ControlEndpoint& control) {
  auto stored = coord::QueryCounter(control, "images_stored", 2000);
  return stored.ok() ? *stored : 0;  // asked again until the deadline
}

bool Greeted(const coord::ControlEndpoint& control) {
  auto status = coord::QueryStatus(control, 2000);
  return status.ok() && status->stations_size() > 0;
}

struct Trial {
  double journaled_s = 0;
  double filed_s = 0;
};

Result<Trial> RunTrial(const ImageOptions& o, const std::string& dir, uint64_t seed) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  for (const char* sub : {"/camera", "/staging"}) {
    if (Status s = MakeDirs(dir + sub); !s.ok()) return s;
  }
  if (Status s = WriteFileDurably(dir + "/schedule.csv", "station,college,class,headcount,start,end\n1,C,K1,1,00:00,23:59\n");
      !s.ok()) {
    return s;
  }
  if (Status s = WriteFileDurably(dir + "/roster.csv",
                                  "student_no,registry_no,college,class,name,masked_name\n1,R1,C,K1,A B,A*\n");
      !s.ok()) {
    return s;
  }
  if (Status s = SaveSiteKey(dir + "/site.key", GenerateSiteKey()); !s.ok()) return s;
  if (Status s = sim::WriteStationKeys(dir, {1}); !s.ok()) return s;
  const size_t bytes = static_cast<size_t>(o.mib) << 20;
  for (int i = 1; i <= o.count; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/staging/IMG_%04d.JPG", i);
    if (Status s = WriteFileDurably(dir + name, sim::PaddedJpeg("bench trial " + std::to_string(seed) + " image " + std::to_string(i), bytes));
        !s.ok()) {
      return s;
    }
  }

  auto coordinator = ChildProcess::Spawn({o.bin_dir + "/coordinator", "--schedule", dir + "/schedule.csv", "--roster",
                                          dir + "/roster.csv", "--store", dir + "/store", "--events",
                                          "tcp://127.0.0.1:*", "--control", "tcp://127.0.0.1:*", "--http", "off",
                                          "--station-keys", dir + "/" + sim::kStationKeysFile},
                                         dir + "/coordinator.log");
  if (!coordinator.ok()) return coordinator.status();
  auto ready = AwaitReady(**coordinator, "the coordinator's ready line");
  if (!ready.ok()) return ready.status();
  const sim::OutputLine line = sim::ParseOutputLine(*ready);
  auto control = coord::RegistrarEndpoint(line.Get("control").value_or(""), dir + "/store");
  if (!control.ok()) return control.status();
  auto agent = ChildProcess::Spawn({o.bin_dir + "/station-agent", "--station", "1", "--camera-dir", dir + "/camera",
                                    "--create-camera-dir",
                                    "--journal", dir + "/journal", "--site-key", dir + "/site.key", "--events",
                                    line.Get("events").value_or(""), "--control", control->address, "--console", "off",
                                    "--identity", dir + "/" + sim::StationKeyFile(1), "--coordinator-key",
                                    dir + "/store/coordinator.pub"},
                                   dir + "/agent.log");
  if (!agent.ok()) return agent.status();
  if (auto agent_ready = AwaitReady(**agent, "the agent's ready line"); !agent_ready.ok()) return agent_ready.status();
  // Steady state, not start-up: the coordinator has heard the agent's hello, whose answer names the
  // image port.
  const auto greeted_by = Clock::now() + kTimeout;
  while (!Greeted(*control)) {
    if (Clock::now() > greeted_by) return Status::Unavailable("the coordinator never heard the agent's hello");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling a condition with a deadline
  }

  const auto start = Clock::now();
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/staging")) {
    std::filesystem::rename(entry.path(), dir + "/camera/" + entry.path().filename().string(), ec);
    if (ec) return Status::IoError("cannot move " + entry.path().string() + " into the camera folder: " + ec.message());
  }
  Trial trial;
  for (int shots = 0; shots < o.count;) {
    auto event = (*agent)->WaitForLine([](const std::string& l) { return l.find("kind=SHOT_TAKEN") != std::string::npos; },
                                       kTimeout, "a SHOT_TAKEN line");
    if (!event.ok()) return event.status();
    ++shots;
  }
  trial.journaled_s = std::chrono::duration<double>(Clock::now() - start).count();
  const auto deadline = Clock::now() + kTimeout;
  while (ImagesStored(*control) < static_cast<uint64_t>(o.count)) {
    if (Clock::now() > deadline) return Status::Unavailable("the coordinator did not file every image in time");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // polling a condition with a deadline
  }
  trial.filed_s = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto* child : {agent->get(), coordinator->get()}) {
    if (Status s = child->Signal(SIGTERM); !s.ok()) return s;
    if (auto exit = child->Wait(std::chrono::seconds(30)); !exit.ok()) return exit.status();
  }
  std::filesystem::remove_all(dir, ec);
  return trial;
}

}  // namespace

Status RunImages(const ImageOptions& o, Figures& figures) {
  const std::string shape = std::to_string(o.count) + " images of " + std::to_string(o.mib) + " MiB";
  Figure journal{"images/journal", "Real agent, " + shape + " landing at once: hashed, copied and journaled",
                 "MiB/s", {}, "", "", true};
  Figure filed{"images/filed", "The same, shipped to the coordinator and filed under their SHA-256 (hash checked)",
               "MiB/s", {}, "", "", true};
  Figure lag{"images/lag", "Last shot journaled -> last image filed at the coordinator", "s", {}, "", "", false};
  const double mib = static_cast<double>(o.count) * o.mib;
  for (int t = 0; t < o.trials; ++t) {
    auto trial = RunTrial(o, o.tmp + "/images", static_cast<uint64_t>(t) + 1);
    if (!trial.ok()) return Status::Unavailable("images: " + trial.status().message() + " (logs in " + o.tmp + "/images)");
    journal.trials.push_back(mib / trial->journaled_s);
    filed.trials.push_back(mib / trial->filed_s);
    lag.trials.push_back(trial->filed_s - trial->journaled_s);
  }
  figures.Add(std::move(journal));
  figures.Add(std::move(filed));
  figures.Add(std::move(lag));
  return Status::Ok();
}

}  // namespace capture::bench
