// The kit a capture day needs, as files: what the registrar holds (roster.csv), what the students
// carry (codes.csv: one collection code per registry number) and the site key the station code
// readers decrypt with (site.key).
#pragma once

#include <string>

#include "common/collection_code.h"
#include "common/status.h"
#include "tools/capture-sim/roster.h"

namespace capture::sim {

inline constexpr const char* kRosterFile = "roster.csv";
inline constexpr const char* kCodesFile = "codes.csv";
inline constexpr const char* kSiteKeyFile = "site.key";
inline constexpr const char* kCodesHeader = "registry_no,code";

// Writes exactly the three files into `dir` (created if missing), each durably; nothing else.
Status WriteKit(const std::string& dir, const SyntheticRoster& roster, const SiteKey& key);

}  // namespace capture::sim
