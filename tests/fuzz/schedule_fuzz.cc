// ParseSchedule (common/schedule.h): the day's schedule CSV the coordinator and capture-sim load.
#include "common/schedule.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto schedule = capture::ParseSchedule(capture::fuzz::Bytes(data, size), "schedule.csv");
  if (!schedule.ok()) return 0;
  FUZZ_CHECK(!schedule->classes.empty());
  for (const capture::ScheduledClass& c : schedule->classes) {
    FUZZ_CHECK(c.station >= 1 && c.start_minute >= 0 && c.start_minute <= c.end_minute && c.end_minute < 24 * 60);
  }
  (void)schedule->Stations();
  return 0;
}
