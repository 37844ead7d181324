// DayEnd: when a station's capture day is over by the clock, so that its last class moves on like
// any other (the judge then names its students with neither a photo nor an absent mark).
//
//   LAST_SLOT_OVER  the coordinator's clock passed the end of the station's last slot plus the late
//                   tolerance. "Passed": the clock read earlier than that while this record was kept
//                   (an item stamped before it, or a turn of this coordinator). A record started after
//                   the day (a replay, a test on an old date) is closed by the registrar instead
//                   (capturectl close-day, Observation DAY_CLOSED), which also ends the day here.
//
// The state survives a restart through the record (Restore). Pure: the caller passes the clock in.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "capture.pb.h"
#include "common/schedule.h"

namespace capture::coord {

class DayEnd {
 public:
  // The stations of `schedule`, each over at local midnight + its last slot's end + the late tolerance.
  DayEnd(const Schedule& schedule, const wire::JudgeConfig& config);

  // One stored item, in commit order, at start.
  void Restore(const wire::RecordItem& item);
  // The coordinator's clock reads `now_us` (the clock that stamps the record's items): the
  // LAST_SLOT_OVER observations to record.
  std::vector<wire::Observation> Tick(int64_t now_us);

 private:
  struct Station {
    int64_t over_at_us = 0;
    bool before_seen = false;  // the clock read earlier than over_at_us
    bool over = false;
  };
  void See(int64_t now_us);

  std::map<uint32_t, Station> stations_;
};

}  // namespace capture::coord
