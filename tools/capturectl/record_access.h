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
#include "coordinator/control_client.h"
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

// How capturectl reaches a running coordinator: as the registrar, over CURVE with the registrar's
// key, pinned to the coordinator's key (both in --keys DIR, a coordinator's store folder by default
// the current folder), unless --insecure.
struct Connection {
  std::string endpoint;         // --connect: the control address
  std::string keys_dir = ".";   // --keys: holds registrar.key and coordinator.pub
  std::string key_file;         // --key: the registrar's key file instead of DIR/registrar.key
  std::string coordinator_key;  // --coordinator-key: instead of DIR/coordinator.pub (a file or 64 hex)
  bool insecure = false;        // --insecure: plain text
  int timeout_ms = 5000;        // for the coordinator's reply
  bool given() const { return !endpoint.empty(); }
  // The endpoint with its keys loaded; the error names the missing file.
  Result<coord::ControlEndpoint> Resolve() const;
};

struct RecordSource {
  std::string store_dir;  // a stopped coordinator's store folder
  Connection connection;  // or a running coordinator
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
