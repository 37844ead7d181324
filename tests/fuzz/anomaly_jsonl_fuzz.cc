// ParseAnomalyJsonLines (tools/capturectl/anomaly_view.h): the judge's anomalies export, read back;
// the rows then go through the view as capturectl shows them.
#include "tests/fuzz/fuzz_support.h"
#include "tools/capturectl/anomaly_view.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto rows = capture::ctl::ParseAnomalyJsonLines(capture::fuzz::Bytes(data, size), "anomalies.jsonl");
  if (!rows.ok()) return 0;
  capture::ctl::SortForReading(*rows);
  (void)capture::ctl::NeedsAttention(*rows);
  (void)capture::ctl::AnomalyTable(*rows, 480);
  return 0;
}
