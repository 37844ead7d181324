#include "tools/capture-sim/kit.h"

#include "common/csv.h"
#include "common/fs.h"

namespace capture::sim {

Status WriteKit(const std::string& dir, const SyntheticRoster& roster, const SiteKey& key) {
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
  return SaveSiteKey(dir + "/" + kSiteKeyFile, key);
}

}  // namespace capture::sim
