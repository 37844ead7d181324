// A whole capture system on 127.0.0.1 for integration tests: one coordinator and one station
// agent per station as real processes, driven through the agents' real inputs (code lines and
// JPEG files in the camera folder), and the tools to compare what ended up where.
//
// Every wait is on a handshake line or a condition with a deadline, never a fixed sleep.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "coordinator/control_client.h"
#include "tests/support/temp_dir.h"
#include "tools/capture-sim/day_plan.h"
#include "tools/capture-sim/process.h"

namespace capture::itest {

class Cluster {
 public:
  // Makes a fresh folder with a kit for `schedule_file` (a file in tests/data).
  explicit Cluster(const std::string& schedule_file, uint64_t seed = 7);
  ~Cluster();

  // First start binds ports chosen by the OS; restarts reuse them, so agents reconnect.
  Status StartCoordinator();
  // Flags every later coordinator start gets besides the usual ones (e.g. --replicate …).
  void set_coordinator_flags(std::vector<std::string> flags) { coordinator_flags_ = std::move(flags); }
  // The coordinator's store folder.
  std::string store_dir() const { return Path("store"); }
  // Chooses the coordinator's ports now, so agents can be started before it.
  Status ChooseCoordinatorPorts();
  Status KillCoordinator();  // SIGKILL, reaped
  bool coordinator_running() const { return coordinator_ != nullptr; }

  // `drop_share`: the agent drops that share of its live frames at the sender (--test-drop-share).
  Status StartAgent(int station, double drop_share = 0);
  Status StartAllAgents(double drop_share = 0);
  Status KillAgent(int station);


  // Plays the next student of the station's plan: `!time`, code line, JPEG; waits for both events.
  // `kill_before_shot_event`: the agent is killed right after the JPEG lands, before its event
  // is awaited, and restarted: the image must be taken in from the folder at start.
  Status PlayNextStudent(int station, bool kill_before_shot_event = false);
  bool StationDone(int station) const;
  std::vector<int> stations() const;
  uint64_t events_journaled(int station) const;

  // Waits until the coordinator reports every journaled event of every station stored.
  Status WaitUntilAllStored(std::chrono::milliseconds timeout);
  // Waits until every image in the agents' image stores is filed, byte for byte, in the coordinator's.
  Status WaitUntilAllImagesFiled(std::chrono::milliseconds timeout) const;
  // The coordinator's counter by exact name, 0 if absent.
  Result<uint64_t> Counter(const std::string& name);

  // SIGTERM to every process, waiting for clean exits.
  Status StopAll();
  // After StopAll: the record holds every journaled (station, epoch, seq) exactly once,
  // byte-identical, each stream contiguous from 1, and nothing else of the stations'.
  Status ExpectRecordEqualsJournals() const;
  // After StopAll: `capturectl verify` re-judges the record from scratch and finds every stored
  // verdict byte-identical.
  Status VerifyStoredVerdicts() const;

 private:
  struct Station {
    sim::StationPlan plan;
    size_t next_class = 0, next_student = 0;
    int shot_counter = 0;
    uint64_t last_seq = 0;
    std::string epoch_hex;
    std::unique_ptr<sim::ChildProcess> agent;
    double drop_share = 0;  // of its live frames, at the sender; kept across restarts
  };
  std::string Path(const std::string& name) const { return root_ + "/" + name; }
  Result<std::string> AwaitEvent(Station& s, const std::string& kind);

  testing::TempDir dir_;
  std::string root_ = dir_.path();
  std::string schedule_path_;
  int utc_offset_minutes_ = 480;
  std::map<std::string, std::string> code_by_registry_;
  std::map<int, Station> stations_;
  std::unique_ptr<sim::ChildProcess> coordinator_;
  std::vector<std::string> coordinator_flags_;
  std::string events_endpoint_ = "tcp://127.0.0.1:*";
  std::string control_endpoint_ = "tcp://127.0.0.1:*";
  coord::ControlEndpoint registrar_;  // control_endpoint_ as the registrar, once the coordinator started
};

}  // namespace capture::itest
