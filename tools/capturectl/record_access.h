// Where capturectl finds a record: a stopped coordinator's store (opened read-only and judged
// again with the inputs stored in it) or a running coordinator (asked on its control address).
// Both give the judge's exports byte for byte alike (coordinator/judge/export.h). Also the
// command-line plumbing every command shares: exit codes, error lines, output files.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "capture.pb.h"
#include "common/status.h"
#include "coordinator/judge/judge.h"
#include "coordinator/record_store.h"

namespace capture::ctl {

// Exit codes, the same for every command (see --help).
inline constexpr int kExitOk = 0;     // done, all well
inline constexpr int kExitFound = 1;  // done, with findings
inline constexpr int kExitError = 2;  // usage, I/O or protocol error

// Prints "capturectl: <message>" to stderr; returns kExitError.
int Fail(const std::string& message);

// Writes `text` to the file `out` (durably) or, when `out` is empty, to stdout. kExitOk or, after
// an error line, kExitError.
int Emit(const std::string& text, const std::string& out);

struct RecordSource {
  std::string store_dir;  // a stopped coordinator's store folder
  std::string endpoint;   // a running coordinator's control address
  int timeout_ms = 5000;  // for the coordinator's reply
};

// InvalidArgument unless exactly one of --store and --connect is given.
Status CheckOneSource(const RecordSource& source);

// A stopped store judged again: the judge's state after the whole record, and what it was judged with.
struct JudgedStore {
  std::unique_ptr<coord::RecordStore> store;
  std::unique_ptr<judge::Judge> judge;
  coord::JudgeInputs inputs;
};
Result<JudgedStore> JudgeStore(const std::string& store_dir);

// Anomaly id -> commit time (received_time_us) of the record item that raised it.
Result<std::map<std::string, int64_t>> RaisedTimes(const JudgedStore& judged);

// The export `request` asks for, from whichever source is given.
Result<std::string> ExportText(const RecordSource& source, const wire::ExportRequest& request);

}  // namespace capture::ctl
