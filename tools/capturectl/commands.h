// capturectl's commands, one Run function each, called by main.cc once the command line is parsed.
// Each returns the process exit code (record_access.h: 0 all well, 1 findings, 2 errors) and
// prints its own error line.
#pragma once

#include <cstdint>
#include <string>

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
};
// 1 when an assigned image is missing from the image store or altered there.
int RunExportPhotos(const ExportPhotosArgs& args);

// Also checks the images the record names unless !check_images.
int RunVerify(const std::string& store_dir, bool check_images);

struct AnomaliesArgs {
  RecordSource source;
  bool open_only = false;
  uint32_t station = 0;
  bool json = false;
};
// 1 when an open WARNING or BLOCKER is listed.
int RunAnomalies(const AnomaliesArgs& args);

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
  std::string store_dir;      // a stopped store: roster, schedule and (after the day) shot numbers
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
