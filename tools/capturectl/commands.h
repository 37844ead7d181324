// capturectl's commands, one Run function each, called by main.cc once the command line is parsed.
// Each returns the process exit code (record_access.h: 0 all well, 1 findings, 2 errors) and
// prints its own error line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/capturectl/record_access.h"

namespace capture::ctl {

// record_commands.cc: the judged record.
struct ExportArgs {
  std::string what;  // "anomalies" or "assignment"
  RecordSource source;
  std::string out;
  bool open_only = false;
  uint32_t station = 0;
};
int RunExport(const ExportArgs& args);

// photo_commands.cc: `export photos DIR` (photo_export.h describes the folder).
struct ExportPhotosArgs {
  std::string dir;          // new or empty: the export is renamed into place once complete
  RecordSource source;      // the assignment, as `export assignment` gets it
  std::string image_store;  // the folder holding images/; default source.store_dir, required with --connect
  bool json = false;        // the summary as one JSON object
  bool include_doubtful = false;  // export photos that open anomalies name, too
};
// 1 when a photo is held back (open anomalies name it), or an assigned image is missing from the
// image store or altered there.
int RunExportPhotos(const ExportPhotosArgs& args);

struct VerifyArgs {
  std::string store_dir;
  bool check_images = true;     // the images the record names, in store_dir/images
  std::vector<std::string> checkpoints;  // files with heads kept elsewhere (stations')
  std::string coordinator_key;  // a file or 64 hex digits; empty: store_dir/coordinator.pub
};
// 1 when a verdict differs, a head does not hold or an image is missing or altered.
int RunVerify(const VerifyArgs& args);

// The newest signed tree head: 1 when none is signed yet.
int RunCheckpoint(const RecordSource& source);

// proof_commands.cc: a student's photo proven offline (coordinator/proof/record_proof.h).
struct ProveArgs {
  std::string student_no;
  std::string store_dir;
  std::string out;
};
// 1 when the record gives the student no photo, or no signed head covers it.
int RunProve(const ProveArgs& args);

struct CheckProofArgs {
  std::string file;
  std::string coordinator_key;  // a file or 64 hex digits
  std::string student_no;       // the proof must be about this student; empty: whoever it names
};
// 1 when the proof does not hold.
int RunCheckProof(const CheckProofArgs& args);

struct AnomaliesArgs {
  RecordSource source;
  bool open_only = false;
  uint32_t station = 0;
  bool json = false;
};
// 1 when an open WARNING or BLOCKER is listed.
int RunAnomalies(const AnomaliesArgs& args);

// replica_commands.cc: a campus's record from the replication stream.
struct FetchArgs {
  std::string nats;            // nats://HOST:PORT[,...]
  std::string campus;
  std::string store_dir;       // new: the store is written there
  std::string auditor_secret;  // the auditors' key file: opens the sealed roster
  std::string roster;          // or the registrar's roster file, checked against the record's hash
  std::string creds_file;
  std::string tls_ca_file;
};
int RunFetch(const FetchArgs& args);

// coordinator_commands.cc: a running coordinator.
struct StatusArgs {
  Connection connection;
  bool json = false;
};
int RunStatus(const StatusArgs& args);

struct ResolveArgs {
  std::string id, reason, by, token_file;
  Connection connection;
};
int RunResolve(const ResolveArgs& args);

// Closes the day at a station (0: every station): its classes move on. 1 when that raised anomalies.
struct CloseDayArgs {
  uint32_t station = 0;
  std::string by, token_file;
  Connection connection;
};
int RunCloseDay(const CloseDayArgs& args);

// Enrols a station's key (withdrawing its old one), or revokes its key.
struct EnrollArgs {
  uint32_t station = 0;
  std::string key;  // 64 hex digits, or a file holding them; empty with revoke
  bool revoke = false;
  std::string by, token_file;
  Connection connection;
};
int RunEnroll(const EnrollArgs& args);

// Every key change: which key was valid when.
struct KeysArgs {
  std::string store_dir;
  Connection connection;
  bool json = false;
};
int RunKeys(const KeysArgs& args);

// paper_commands.cc: the paper registration forms.
struct FormsArgs {
  std::string class_name;
  RecordSource source;        // a stopped store or a running coordinator: roster, schedule, shot numbers
  std::string roster_path;    // or the roster CSV alone: the blank form before the day
  std::string schedule_path;  // with --roster: the schedule, for station and slot in the header
  std::string date;           // overrides the store's day
  std::string out;
};
int RunForms(const FormsArgs& args);

struct ReconcileArgs {
  std::string form_path;
  RecordSource source;
  std::string class_name;
  bool json = false;
};
// 1 when any finding is listed.
int RunReconcile(const ReconcileArgs& args);

}  // namespace capture::ctl
