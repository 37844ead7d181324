// ParsePaperForm (tools/capturectl/reconcile.h): the transcribed paper registration form.
#include <set>

#include "tests/fuzz/fuzz_support.h"
#include "tools/capturectl/reconcile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto entries = capture::ctl::ParsePaperForm(capture::fuzz::Bytes(data, size), "form.csv");
  if (!entries.ok()) return 0;
  FUZZ_CHECK(!entries->empty());
  std::set<std::string> students;
  for (const capture::ctl::PaperEntry& e : *entries) {
    FUZZ_CHECK(!e.student_no.empty() && students.insert(e.student_no).second);
  }
  return 0;
}
