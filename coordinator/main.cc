// coordinator: the room's single authoritative record of every station's events.
// See coordinator.h for the protocol and the shared contract for the flags and the `ready` line.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "common/log.h"
#include "common/schedule.h"
#include "coordinator/coordinator.h"
#include "coordinator/record_store.h"

namespace {

constexpr char kLog[] = "coordinator";

int Fail(const capture::Status& status) {
  capture::LogError(kLog, status.message());
  return 1;
}

std::string JoinStations(const std::vector<int>& stations) {
  std::string out;
  for (int s : stations) out += (out.empty() ? "" : ",") + std::to_string(s);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace capture;
  CLI::App app{"Coordinator of a photo capture day: receives the stations' events and keeps the record."};
  std::string schedule_path, roster_path, store_dir;
  coord::CoordinatorOptions options;
  app.add_option("--schedule", schedule_path, "The day's schedule CSV; its stations are the ones accepted.")
      ->required();
  app.add_option("--roster", roster_path, "The registrar's roster CSV, checked at start.")->required();
  app.add_option("--store", store_dir, "Folder of the record store, created if missing.")->required();
  app.add_option("--events", options.events_endpoint,
                 "Address to bind the SUB socket the agents publish events to (a port may be *).")
      ->capture_default_str();
  app.add_option("--control", options.control_endpoint,
                 "Address to bind the ROUTER socket for hello, ack, resend and status (a port may be *).")
      ->capture_default_str();
  app.add_flag("--sim-time", options.sim_time,
               "Stamp received times with the highest station time seen instead of the system clock.");
  CLI11_PARSE(app, argc, argv);

  // Block the stop signals before any thread exists (ZeroMQ starts some), so they arrive only
  // through the signalfd the loop polls.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  if (sigprocmask(SIG_BLOCK, &stop_signals, nullptr) != 0) return Fail(Status::IoError("cannot block signals"));
  const int stop_fd = signalfd(-1, &stop_signals, SFD_CLOEXEC);
  if (stop_fd < 0) return Fail(Status::IoError("cannot create a signalfd"));

  auto schedule = LoadSchedule(schedule_path);
  if (!schedule.ok()) return Fail(schedule.status());
  auto roster = LoadRoster(roster_path);
  if (!roster.ok()) return Fail(roster.status());
  options.stations = schedule->Stations();
  options.roster = std::move(*roster);

  auto store = coord::RecordStore::Open(store_dir, /*read_only=*/false);
  if (!store.ok()) return Fail(store.status());
  LogInfo(kLog, "store " + store_dir + " open at commit index " + std::to_string((*store)->commit_index()) + ", " +
                    std::to_string((*store)->streams().size()) + " stream(s); roster of " +
                    std::to_string(options.roster.students.size()) + " students");

  const std::string stations = JoinStations(options.stations);
  auto coordinator = coord::Coordinator::Start(std::move(options), std::move(*store));
  if (!coordinator.ok()) return Fail(coordinator.status());
  std::printf("ready events=%s control=%s stations=%s commit_index=%llu\n", (*coordinator)->events_endpoint().c_str(),
              (*coordinator)->control_endpoint().c_str(), stations.c_str(),
              static_cast<unsigned long long>((*coordinator)->commit_index()));
  std::fflush(stdout);

  Status run = (*coordinator)->Run(stop_fd);
  close(stop_fd);
  if (!run.ok()) return Fail(run);
  LogInfo(kLog, "stopped at commit index " + std::to_string((*coordinator)->commit_index()));
  return 0;
}
