// A small capture room for the live judge's tests: the real coordinator and real station agents
// on 127.0.0.1, driven through the agents' real inputs (code lines on stdin, image files in the
// camera folder), with every stdout line of every agent kept with the moment it was read.
//
// The room: one class of `students_per_class` per station, each scheduled all day, so only the
// anomalies a test provokes are raised. Agents run on the system clock unless started with
// sim_time; images carry no EXIF capture time, so a shot's moment is its arrival.
// Every wait is on a line or a condition with a deadline, never a fixed sleep.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "capture.pb.h"
#include "common/collection_code.h"
#include "common/status.h"
#include "coordinator/control_client.h"
#include "tests/support/temp_dir.h"
#include "tools/capture-sim/process.h"

namespace capture::coord::testing {

using ::capture::testing::TempDir;

struct Student {
  std::string student_no;
  std::string registry_no;
  std::string masked_name;
};

struct TimedLine {
  std::string text;
  std::chrono::steady_clock::time_point read_at;
};

struct CtlRun {
  int exit_code = -1;
  std::string out;  // stdout, lines joined by '\n'
  std::string err;  // stderr as written
};

class LiveRoom {
 public:
  explicit LiveRoom(int students_per_class = 6);
  ~LiveRoom();

  std::string store() const { return dir_ / "store"; }
  std::string path(const std::string& name) const { return dir_ / name; }
  const Student& student(int station, int index) const { return students_.at(station).at(index); }
  // "2024-…": today (UTC), the day the coordinator judges; the zone is UTC.
  const std::string& day() const { return day_; }

  // The first start binds ports chosen by the OS; a restart binds the same ones, so agents reconnect.
  Status StartCoordinator(const std::vector<std::string>& extra_flags = {});
  Status StopCoordinator();  // SIGTERM, then a clean exit is required
  Status KillCoordinator();  // SIGKILL
  pid_t coordinator_pid() const;
  const std::string& control() const { return control_; }
  // The control socket, reached as the registrar (the store's registrar.key).
  const ControlEndpoint& registrar() const { return registrar_; }
  // Station `station`'s enrolled key, pinned to the coordinator (after StartCoordinator), for a
  // test that plays a peer of that station.
  ClientSecurity StationSecurity(int station) const;
  const std::string& images() const { return images_; }  // a new port at each start

  // `first_lines` reach the agent's input before it runs, e.g. "!time …" for a sim-time agent.
  // `flags` (pairs: "--journal", DIR, …) replace the room's value of a flag or are added.
  Status StartAgent(int station, const std::vector<std::string>& first_lines = {}, bool sim_time = false,
                    const std::vector<std::string>& flags = {});
  const std::string& events() const { return events_; }
  // The epoch of the station's agent as its last ready line gave it.
  const std::string& epoch_hex(int station) const { return agents_.at(station).epoch_hex; }
  Status StopAgent(int station);  // SIGTERM, then a clean exit is required
  // Waits for the station's agent to end by itself (its lines stay readable).
  Result<sim::ExitStatus> WaitForAgentExit(int station, std::chrono::milliseconds timeout);
  Status Input(int station, const std::string& line);
  Status Scan(int station, const Student& student) { return Input(station, Code(student)); }
  std::string Code(const Student& student) const;
  // Writes the station's next image (IMG_0001.JPG, …), of at least `min_bytes`, into its camera
  // folder; returns its name.
  Result<std::string> DropShot(int station, size_t min_bytes = 0);
  // The same, with the EXIF capture time `taken_us`, written in the zone `utc_offset_minutes` from
  // UTC (a sim-time agent reads it in the zone of its `!time`s; else in the system's local zone).
  Result<std::string> WriteShotTakenAt(int station, int64_t taken_us, int utc_offset_minutes = 0);
  // Sends `signal` to the station's agent (SIGSTOP, SIGCONT: a frozen laptop that comes back).
  Status SignalAgent(int station, int signal);
  std::string camera_dir(int station) const { return path("station-" + std::to_string(station) + "/camera"); }
  std::string journal_dir(int station) const { return path("station-" + std::to_string(station) + "/journal"); }

  // Waits for a line of the station's agent, at index `from` or later, holding every one of
  // `words`; returns its index.
  Result<size_t> AwaitLine(int station, const std::vector<std::string>& words, std::chrono::milliseconds timeout,
                           size_t from = 0);
  const TimedLine& line(int station, size_t index) const { return agents_.at(station).lines.at(index); }
  size_t line_count(int station) const { return agents_.at(station).lines.size(); }
  // Reads whatever the agent printed until now (e.g. before counting its lines).
  void Drain(int station, std::chrono::milliseconds quiet);

  // Waits until the coordinator has stored every event each agent printed.
  Status WaitUntilStored(std::chrono::milliseconds timeout);
  // Polls the coordinator's status until the counter reaches `value`.
  Status WaitForCounter(const std::string& name, uint64_t value, std::chrono::milliseconds timeout);

  // capturectl with `args`; with --connect and no --keys, --keys is the store (the registrar's keys).
  Result<CtlRun> Capturectl(const std::vector<std::string>& args);

 private:
  struct Agent {
    std::unique_ptr<sim::ChildProcess> process;
    std::vector<TimedLine> lines;
    std::string epoch_hex;
    uint64_t last_seq = 0;
    int shots = 0;
  };
  bool ReadOne(Agent& agent, std::chrono::steady_clock::time_point deadline);
  // The station's next camera file, its bytes made by `jpeg` from a comment naming it.
  Result<std::string> WriteShot(int station, const std::function<std::string(const std::string&)>& jpeg);

  TempDir dir_;
  std::string day_;
  SiteKey key_;
  std::map<int, std::vector<Student>> students_;
  int capturectl_runs_ = 0;
  std::unique_ptr<sim::ChildProcess> coordinator_;
  std::string events_ = "tcp://127.0.0.1:*";
  std::string control_ = "tcp://127.0.0.1:*";
  std::string images_;
  ControlEndpoint registrar_;
  std::map<int, Agent> agents_;
};

}  // namespace capture::coord::testing
