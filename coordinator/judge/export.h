// The judge's stable exports, read by outside scorers. Pure formatting of a Judge's state.
//
// Anomalies as JSON Lines, one object per anomaly in the order raised:
//   {"id":"A3","kind":"SHOT_WITHOUT_CODE","severity":"BLOCKER","station":1,"seqs":[41,42],
//    "shots":["IMG_0413.JPG"],"students":[{"student_no":"…","registry_no":"…","masked_name":"…"}],
//    "message":"…","open":true}
// The assignment as CSV (UTF-8, header first, one row per roster student sorted by student_no):
//   student_no,registry_no,class,status,station,shot,image_file,image_sha256,open_anomalies
// with station, shot, image_file and image_sha256 empty where there is no photo; shot is the
// shot number as a plain integer; open_anomalies the ids of the open WARNING and BLOCKER anomalies
// that name the student or their photo, space-separated in the order raised (empty: none).
// The shots that are nobody's photo as CSV (UTF-8, header first, sorted by station then seq):
//   station,seq,shot,image_file,image_sha256,reason
// with reason one of voided, superseded, unknown_code, no_code, held_back (UnassignedShot).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "coordinator/judge/judge.h"

namespace capture::judge {

struct AnomalyFilter {
  bool open_only = false;
  uint32_t station = 0;  // 0: every station
};

std::string AnomaliesJsonLines(const Judge& judge, const AnomalyFilter& filter = {});
std::string AssignmentCsv(const Judge& judge);
std::string UnassignedCsv(const Judge& judge);

// The open_anomalies column's text, and back (any run of spaces separates; empty: none).
std::string JoinAnomalyIds(const std::vector<std::string>& ids);
std::vector<std::string> SplitAnomalyIds(std::string_view text);

// open_anomalies: the ids of AssignmentRow::open_anomalies, separated by single spaces.
inline constexpr const char* kAssignmentHeader =
    "student_no,registry_no,class,status,station,shot,image_file,image_sha256,open_anomalies";
inline constexpr const char* kUnassignedHeader = "station,seq,shot,image_file,image_sha256,reason";

}  // namespace capture::judge
