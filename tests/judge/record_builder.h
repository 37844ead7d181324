// Hand-written record items for judge tests: code reads, shots with or without capture time,
// operator marks and coordinator observations, numbered in commit order and judged at once.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "capture.pb.h"
#include "common/schedule.h"
#include "coordinator/judge/judge.h"

namespace capture::judge::testing {

// The test day: 2024-04-22 in UTC+08:00.
int64_t LocalMidnightUs();
// "08:30:05" on the test day, station clock, as microseconds since the epoch.
int64_t At(const std::string& hh_mm_ss);

// A small schedule: station 1 has 文学院 (classes A and B, one slot 08:30–09:30) then 历史学院
// (class C, 09:30–10:30); station 2 has 外国语学院 (classes E and F, 08:30–09:30).
Schedule TestSchedule();
// Five students per class, student numbers 2021<class 3 digits><2 digits>: A = 20210010x,
// B = 20210020x, C = 20210030x, E = 20210040x, F = 20210050x (x = 1..5), and in class A one
// student of an earlier cohort, 202000199.
Roster TestRoster();
std::string Reg(const std::string& student_no);  // the registry number of a test student
std::string Masked(const std::string& student_no);

class RecordBuilder {
 public:
  explicit RecordBuilder(Schedule schedule = TestSchedule(), Roster roster = TestRoster());

  // Station events. `time` is the station clock ("08:30:05"). Each returns the item's verdict.
  wire::Verdict Read(uint32_t station, const std::string& time, const std::string& registry_no,
                     const std::string& masked_name = "");
  // A student's code, by student number.
  wire::Verdict ReadStudent(uint32_t station, const std::string& time, const std::string& student_no);
  // The same, read by an agent that was stalled since `stalled_since` (CaptureEvent.arrived_after_us).
  wire::Verdict ReadStudentAfterStall(uint32_t station, const std::string& time, const std::string& student_no,
                                      const std::string& stalled_since);
  // A shot IMG_<number>.JPG arriving at `time`; `capture` is its EXIF time ("" for none).
  wire::Verdict Shot(uint32_t station, const std::string& time, uint32_t number, const std::string& capture = "");
  // A read of the student and a shot 4 s later (capture time = arrival), the usual pair.
  void Photograph(uint32_t station, const std::string& time, const std::string& student_no, uint32_t number);
  wire::Verdict Void(uint32_t station, const std::string& time, const std::string& file_name);
  wire::Verdict Retake(uint32_t station, const std::string& time, const std::string& registry_no);
  wire::Verdict Absent(uint32_t station, const std::string& time, const std::string& student_no);
  wire::Verdict Resolve(uint32_t station, const std::string& time, const std::string& id, const std::string& reason);
  wire::Verdict Unreadable(uint32_t station, const std::string& time);
  // An event with an explicit epoch (a replaced station computer starts a new one).
  wire::Verdict EventIn(uint64_t epoch, wire::CaptureEvent event);
  wire::Verdict Observe(wire::Observation observation);

  Judge& judge() { return judge_; }
  const std::vector<wire::RecordItem>& items() const { return items_; }
  const std::vector<wire::Verdict>& verdicts() const { return verdicts_; }

  // The anomalies of one kind, in raise order.
  std::vector<AnomalyState> OfKind(wire::Anomaly::Kind kind) const;
  // "SHOT_WITHOUT_CODE:open, ..." for every anomaly, for failure messages.
  std::string Describe() const;
  // Every WARNING or BLOCKER raised, described; empty when there is none.
  std::string WarningsOrBlockers() const;
  // The assignment row of a student.
  AssignmentRow Row(const std::string& student_no) const;
  // The state of the latest binding reported for a file at a station.
  wire::Binding::State StateOf(uint32_t station, const std::string& file_name) const;

 private:
  wire::CaptureEvent NewEvent(uint32_t station, const std::string& time, wire::EventKind kind);
  wire::Verdict Commit(const wire::CaptureEvent& event);

  Judge judge_;
  std::vector<wire::RecordItem> items_;
  std::vector<wire::Verdict> verdicts_;
  std::map<uint32_t, uint64_t> seqs_;                   // per station
  std::map<std::string, std::string> sha_by_file_;      // "<station>/<file>" → sha256 of the latest such shot
  uint64_t images_ = 0;
};

}  // namespace capture::judge::testing
