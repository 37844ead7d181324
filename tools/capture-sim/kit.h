// The kit a capture day needs, as files: what the registrar holds (roster.csv), what the students
// carry (codes.csv: one collection code per registry number), the site key the station code
// readers decrypt with (site.key), each station's identity (station-N.key, mode 0600: give it to
// that station's agent as --identity) and the registrar's enrolment of them (station-keys.csv:
// give it to the coordinator as --station-keys), and the auditors' key pair (auditor.key, 0600, and
// auditor.pub: the coordinator replicates the roster sealed to it, docs/replication.md).
#pragma once

#include <string>
#include <vector>

#include "common/collection_code.h"
#include "common/status.h"
#include "tools/capture-sim/roster.h"

namespace capture::sim {

inline constexpr const char* kRosterFile = "roster.csv";
inline constexpr const char* kCodesFile = "codes.csv";
inline constexpr const char* kSiteKeyFile = "site.key";
inline constexpr const char* kCodesHeader = "registry_no,code";
inline constexpr const char* kStationKeysFile = "station-keys.csv";
inline constexpr const char* kAuditorKeyFile = "auditor.key";
inline constexpr const char* kAuditorPublicKeyFile = "auditor.pub";

// "station-3.key"
std::string StationKeyFile(int station);

// Writes a new station-N.key for each of `stations` and their station-keys.csv into `dir`.
Status WriteStationKeys(const std::string& dir, const std::vector<int>& stations);

// The station-agent flags for the key of `station` in `keys_dir` and the coordinator whose public
// key is `coordinator_key` (a file, e.g. <store>/coordinator.pub).
std::vector<std::string> AgentKeyFlags(const std::string& keys_dir, int station, const std::string& coordinator_key);

// Writes exactly those files into `dir` (created if missing), each durably, with a new key for
// each of `stations`; nothing else.
Status WriteKit(const std::string& dir, const SyntheticRoster& roster, const SiteKey& key,
                const std::vector<int>& stations);

}  // namespace capture::sim
