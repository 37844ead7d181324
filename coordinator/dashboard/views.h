// The registrar's dashboard views as JSON text, built in the coordinator's loop from the judge's
// state, the Directory (schedule and names) and the Timeline. Pure: every input is an argument.
//
// Summary (GET /api/dashboard):
//   {"commit_index":K,"assignment_commit_index":K2,"now":"2024-04-22T09:12:05.000+08:00","now_minute":552,
//    "day":{"first_minute":510,"last_minute":1080},
//    "totals":{"expected":N,"photographed":N,"absent":N,"missing":N,"waiting":N},
//    "stations":[{"station":1,"current_class":"法学2101"|null,"current_college":"…"|null,"class_done":3,
//                 "class_expected":62,"slot_start":"08:30"|null,"slot_end":"09:20"|null,"expected":N,
//                 "photographed":N,"absent":N,"missing":N,"waiting":N,"pace_per_minute":4.2|null,
//                 "delay_minutes":12.5|null,"estimated_end":"17:40"|null,"finished":false,
//                 "open_anomalies":N,"open_blockers":N}],
//    "classes":[{"class":"…","college":"…","station":1,"slot_start":"08:30","slot_end":"09:20","expected":N,
//                "photographed":N,"absent":N,"missing":N,"waiting":N,
//                "state":"waiting|in_progress|incomplete|done","open_anomalies":N}],
//    "anomalies":{"open":N,"open_blockers":N,"raised":N,"left_out":N,
//                 "list":[{"id":"A3","kind":"SHOT_WITHOUT_CODE","severity":"BLOCKER","station":1,
//                          "students":[{"student_no":"…","registry_no":"…","name":"…","masked_name":"…"}],
//                          "shots":["IMG_0413.JPG"],"message":"…","raised_commit":41,
//                          "raised_at":"09:10:04"|null,"age_seconds":121|null}]},
//    "series":{"stations":[{"station":1,"photographed":[[minute,n],…],"plan":[[minute,n],…]}],
//              "events_per_minute":[[minute,n],…],"commit_ms":[[minute,mean,max],…]}}
// Class (GET /api/class?name=…):
//   {"commit_index":K,"assignment_commit_index":K2,"class":"…", …the class's summary fields…,
//    "students":[{"student_no":"…","registry_no":"…","name":"…","status":"photographed|absent|missing",
//                 "station":1|null,"shot":412|null,"image_file":"IMG_0412.JPG"|null,
//                 "image_sha256":"<64 hex>"|null,"anomalies":["A3"]}]}
//   (image_sha256 names the photo for GET /api/photo/<hex>, server.h; it may not have reached the
//   coordinator yet)
//
// The counts come from the assignment as of assignment_commit_index, which may trail commit_index
// a little (loop_views.h); anomalies and progress are as of commit_index.
// Counting: a student is photographed or absent as in the assignment export; the others of a class
// with no student photographed or absent yet are "waiting", of a started class "missing" (so
// missing + waiting is the export's "missing"). A class is waiting, in_progress (its station's
// current class), incomplete (started, not current, students missing) or done (none missing).
// A station counts the students of its scheduled classes. Pace: students photographed at the
// station per minute over the last 15 minutes (or since its first photo). Delay: the record clock
// minus when the schedule planned the station's photographed + absent count (each class planned
// evenly over its slot); positive is behind. Estimated end: now + remaining / pace. Minutes count
// from the day's local midnight. Open anomalies: blockers first, then warnings, then infos, each in
// the order raised, at most kMaxListedAnomalies (left_out counts the rest).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/dashboard/directory.h"
#include "coordinator/dashboard/timeline.h"
#include "coordinator/judge/judge.h"

namespace capture::dashboard {

inline constexpr size_t kMaxListedAnomalies = 200;

struct ViewInputs {
  const Directory* directory = nullptr;
  const Timeline* timeline = nullptr;
  const std::vector<judge::AssignmentRow>* assignment = nullptr;  // Judge::Assignment()
  const std::vector<judge::StationProgress>* progress = nullptr;  // Judge::Progress()
  const std::vector<judge::AnomalyState>* anomalies = nullptr;    // Judge::anomalies()
  uint64_t commit_index = 0;
  uint64_t assignment_commit_index = 0;  // what `assignment` covers (it may trail commit_index)
  int64_t now_us = 0;                    // the record's clock now
};

std::string SummaryJson(const ViewInputs& in);
// nullopt when the class is on no schedule and no roster row.
std::optional<std::string> ClassJson(const ViewInputs& in, std::string_view class_name);

}  // namespace capture::dashboard
