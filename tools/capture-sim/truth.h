// The ground truth of a simulated day, as files outside scorers can read:
//   truth.jsonl  one injected fault per line:
//                {"kind":"SHOT_WITHOUT_CODE","station":1,"students":["1042120211234567",…],
//                 "shots":["IMG_0413.JPG",…],"note":"…"}
//                students are registry numbers; a fault naming neither students nor shots is
//                matched by kind and station.
//   photos.csv   station,file_name,sha256,true_registry_no — every image the cameras wrote, with
//                who is really in it (empty for a test shot or no one).
// Formatting and parsing are pure; WriteTruth writes the two files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "tools/capture-sim/scenario.h"

namespace capture::sim {

inline constexpr const char* kTruthFile = "truth.jsonl";
inline constexpr const char* kPhotosFile = "photos.csv";
inline constexpr const char* kPhotosHeader = "station,file_name,sha256,true_registry_no";

std::string TruthJsonl(const std::vector<InjectedFault>& faults);
Result<std::vector<InjectedFault>> ParseTruthJsonl(std::string_view text, std::string_view source);

std::string PhotosCsv(const std::vector<PhotoTruth>& photos);
Result<std::vector<PhotoTruth>> ParsePhotosCsv(std::string_view text, std::string_view source);

// The faults a run can have: all of them in process; without the coordinator observations that
// only the in-process day injects when real agents and a real coordinator play the day.
std::vector<InjectedFault> FaultsOfRun(const Scenario& scenario, bool in_process);

// Writes truth.jsonl and photos.csv into `dir` (created if missing), each durably.
Status WriteTruth(const std::string& dir, const Scenario& scenario, bool in_process);

}  // namespace capture::sim
