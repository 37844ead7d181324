// ParseRoster (common/schedule.h): the registrar's roster CSV.
#include <set>

#include "common/schedule.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto roster = capture::ParseRoster(capture::fuzz::Bytes(data, size), "roster.csv");
  if (!roster.ok()) return 0;
  std::set<std::string> student_nos, registry_nos;
  for (const capture::RosterStudent& s : roster->students) {
    FUZZ_CHECK(!s.student_no.empty() && !s.registry_no.empty());
    FUZZ_CHECK(student_nos.insert(s.student_no).second && registry_nos.insert(s.registry_no).second);
  }
  return 0;
}
