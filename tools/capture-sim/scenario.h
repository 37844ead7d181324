// A simulated capture day as data: per station, the ordered inputs a station sees (its `!time`
// lines, code lines, mark lines and camera images), plus the ground truth (who is really in every
// image, and which faults were injected where). Pure: no clock, no files, no processes.
//
// Both ways of running a day start here: the player (day.h) feeds the actions to real agents,
// the in-process day (record_day.h) turns them into the record a coordinator would store.
//
// Time: every action carries the station clock at the moment it happens (after any `!time` before
// it). A station's clock is the true time except while a CLOCK_SKEW fault has set it back. Images
// carry the shutter time (true time, the camera's own clock) in EXIF DateTimeOriginal; a file may
// land seconds later, after the next student's code was read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "capture.pb.h"
#include "common/collection_code.h"
#include "common/schedule.h"
#include "common/status.h"
#include "common/time_format.h"
#include "tools/capture-sim/roster.h"

namespace capture::sim {

// Who closes a played day (DAY_CLOSED at every station) once everything is stored, as a registrar
// would with capturectl close-day, so that the stations' last classes move on too.
inline constexpr char kDayClosedBy[] = "capture-sim";

inline constexpr int kShotDelaySeconds = 4;  // code read at T, shot at T + 4 s
inline constexpr int kMinTimePerStudentSeconds = kShotDelaySeconds + 1;

struct StationAction {
  enum class Kind {
    kTime,   // `line` is "!time <ISO 8601>": sets the station clock to `station_time`; no event
    kCode,   // `line` is what the code reader types (a code, or a damaged one)
    kMark,   // `line` is an operator mark (!retake, !void, !absent)
    kImage,  // `file_name` lands in the camera folder with `bytes`
  };
  Kind kind = Kind::kTime;
  MicrosSinceEpoch station_time = 0;  // the station clock when it happens
  std::string line;
  // The kind of the event the agent journals for it (EVENT_KIND_UNSPECIFIED for kTime).
  wire::EventKind expect = wire::EVENT_KIND_UNSPECIFIED;
  std::string file_name;               // kImage: relative to the camera folder
  std::string bytes;                   // kImage: the JPEG
  MicrosSinceEpoch shutter_time = 0;   // kImage: the EXIF time (true time, whole seconds)
};

// A class as the station played it, for progress lines.
struct ClassProgress {
  std::string college;
  std::string class_name;
  size_t last_action = 0;  // index into the station's actions of its last action
  int photographed = 0;    // roster students of the class who sat for a shot here
  int present = 0;         // roster students of the class seated here
  int absent = 0;          // absent marks
  MicrosSinceEpoch end_time = 0;
};

// A stretch of a station's actions, [begin, end), during which its agent is held up whole (a frozen
// laptop, a stopped process) while the code reader and the camera go on.
struct AgentHold {
  size_t begin = 0;
  size_t end = 0;
  // false: the agent runs in sim-time, so every line and image of the backlog has a time of its own
  // and nothing may be raised; the player stops and continues the real agent. true: the agent runs
  // on the computer's clock, so the lines reach it at the end with no time of their own, and every
  // shot of the stretch is a STALL_UNORDERED; only the in-process day plays it.
  bool real_time = false;
};

struct StationScript {
  int station = 0;
  std::vector<StationAction> actions;
  std::vector<ClassProgress> classes;
  std::vector<AgentHold> holds;  // ascending, apart
  // In-process only: the station's agent is replaced (a new journal epoch) just before these
  // action indices, ascending.
  std::vector<size_t> replaced_before;
};

// One image and who is really in it.
struct PhotoTruth {
  int station = 0;
  std::string file_name;
  std::string sha256_hex;
  std::string true_registry_no;  // empty: a test shot, or no one
};

// One injected fault. `kind` is a wire::Anomaly::Kind name. A fault that names neither students
// nor shots (a clock, a silent or replaced station, an unreadable code) is matched by kind and station.
struct InjectedFault {
  std::string kind;
  int station = 0;
  std::vector<std::string> students;  // registry numbers
  std::vector<std::string> shots;     // file names
  std::string note;
  bool in_process_only = false;  // a coordinator observation: only the in-process day has it
};

// A coordinator observation the in-process day records at `time` (STATION_SILENT, STATION_BACK,
// CLOCK_OFFSET). EPOCH_STARTED comes from StationScript::replaced_before instead.
struct TimedObservation {
  MicrosSinceEpoch time = 0;
  wire::Observation observation;
};

struct Scenario {
  std::vector<StationScript> stations;  // stations ascending
  std::vector<PhotoTruth> photos;       // in the order the images were made
  std::vector<InjectedFault> faults;
  std::vector<TimedObservation> observations;  // in time order; in-process only
};

struct ScenarioOptions {
  uint64_t seed = 1;
  int faults = 0;       // how many faults to inject (0: a clean day)
  // Only these kinds (wire::Anomaly::Kind names; empty: every kind), e.g. to reproduce one rule.
  std::vector<std::string> fault_kinds;
  bool benign = true;   // seeded benign variation
  // Also inject the coordinator's own observations (silence, clock offsets, replaced agents) and
  // an agent held up on the computer's clock (STALL_UNORDERED): only the in-process day can; real
  // agents and a real coordinator make their own, and the player's agents run in sim-time.
  bool coordinator_observations = false;
  MicrosSinceEpoch local_midnight = 0;  // the schedule's minutes count from here
  int utc_offset_minutes = 0;
  int time_per_student_s = 10;          // code at T, shot at T + 4 s, next student at T + this at the earliest
  SiteKey site_key;                     // codes are minted with it
};

// The share of a scenario's roster that are earlier-cohort students (an intern year, say).
inline constexpr double kEarlierCohortShare = 0.005;

// The synthetic roster of a scenario, and of the kit made for it (capture-sim kit): the same
// students for a seed, whatever the faults and variation played, so that a coordinator started on
// a kit's roster knows everyone the day brings. Earlier-cohort students queue first in their class.
Result<SyntheticRoster> MakeScenarioRoster(const Schedule& schedule, uint64_t seed, double absent_share);

// Builds the day. Fails when the faults asked for do not fit (each fault needs students of its
// own), or on a time per student below kMinTimePerStudentSeconds.
Result<Scenario> BuildScenario(const Schedule& schedule, const SyntheticRoster& roster, const ScenarioOptions& options);

// Every station's actions merged into one sequence in station-time order (ties by station),
// each station's own order kept: the order a real day would reach the coordinator in.
struct ActionRef {
  size_t station_index = 0;  // into Scenario::stations
  size_t action_index = 0;
};
std::vector<ActionRef> MergedOrder(const Scenario& scenario);

}  // namespace capture::sim
