// ParseAssignmentCsv (tools/capturectl/reconcile.h): the judge's assignment export, read back.
#include "tests/fuzz/fuzz_support.h"
#include "tools/capturectl/reconcile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)capture::ctl::ParseAssignmentCsv(capture::fuzz::Bytes(data, size), "assignments.csv");
  return 0;
}
