#include "tools/capture-sim/kit.h"

#include "common/csv.h"
#include "common/fs.h"
#include "common/identity.h"

#include <filesystem>

namespace capture::sim {

std::string StationKeyFile(int station) { return "station-" + std::to_string(station) + ".key"; }

Status WriteKit(const std::string& dir, const SyntheticRoster& roster, const SiteKey& key,
                const std::vector<int>& stations) {
  if (Status st = MakeDirs(dir); !st.ok()) return st;
  std::string roster_csv = std::string(kRosterHeader) + "\n";
  std::string codes_csv = std::string(kCodesHeader) + "\n";
  for (const SimStudent& s : roster.students) {
    const RosterStudent& r = s.student;
    roster_csv += CsvLine({r.student_no, r.registry_no, r.college, r.class_name, r.name, r.masked_name});
    codes_csv += CsvLine({r.registry_no, MintDemoCode(key, r.registry_no, r.masked_name)});
  }
  if (Status st = WriteFileDurably(dir + "/" + kRosterFile, roster_csv); !st.ok()) return st;
  if (Status st = WriteFileDurably(dir + "/" + kCodesFile, codes_csv); !st.ok()) return st;
  if (Status st = SaveSiteKey(dir + "/" + kSiteKeyFile, key); !st.ok()) return st;
  const std::string auditor_key = dir + "/" + kAuditorKeyFile;
  std::error_code ignored;
  std::filesystem::remove(auditor_key, ignored);  // a kit written again gets new keys
  const Identity auditor = Identity::Generate();
  if (Status st = auditor.SaveNew(auditor_key); !st.ok()) return st;
  if (Status st = WritePublicKey(dir + "/" + kAuditorPublicKeyFile, auditor.public_key()); !st.ok()) return st;
  return WriteStationKeys(dir, stations);
}

std::vector<std::string> AgentKeyFlags(const std::string& keys_dir, int station, const std::string& coordinator_key) {
  return {"--identity", keys_dir + "/" + StationKeyFile(station), "--coordinator-key", coordinator_key};
}

Status WriteStationKeys(const std::string& dir, const std::vector<int>& stations) {
  if (Status st = MakeDirs(dir); !st.ok()) return st;
  std::string enrolment = "station,public_key\n";
  for (int station : stations) {
    const std::string path = dir + "/" + StationKeyFile(station);
    std::error_code ignored;
    std::filesystem::remove(path, ignored);  // a kit written again gets new keys, as it gets a new site key
    const Identity identity = Identity::Generate();
    if (Status st = identity.SaveNew(path); !st.ok()) return st;
    enrolment += CsvLine({std::to_string(station), KeyHex(identity.public_key())});
  }
  return WriteFileDurably(dir + "/" + kStationKeysFile, enrolment);
}

}  // namespace capture::sim
