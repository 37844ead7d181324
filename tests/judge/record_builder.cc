#include "tests/judge/record_builder.h"

#include <cstdio>
#include <stdexcept>

#include "common/sha256.h"
#include "common/time_format.h"

namespace capture::judge::testing {

namespace {
constexpr int64_t kSecondUs = 1'000'000;
constexpr int kUtcOffsetMinutes = 8 * 60;
constexpr uint64_t kEpoch = 0x1111222233334444ULL;

const char* const kClasses[][3] = {
    // college, class, class digits
    {"文学院", "汉语言文学2101", "001"}, {"文学院", "汉语言文学2102", "002"}, {"历史学院", "历史学2101", "003"},
    {"外国语学院", "英语2101", "004"},   {"外国语学院", "英语2102", "005"},
};
}  // namespace

int64_t LocalMidnightUs() {
  return DaysFromCivil(2024, 4, 22) * 86400 * kSecondUs - int64_t{kUtcOffsetMinutes} * 60 * kSecondUs;
}

int64_t At(const std::string& t) {
  int h = 0, m = 0, s = 0;
  if (std::sscanf(t.c_str(), "%d:%d:%d", &h, &m, &s) != 3) throw std::invalid_argument("bad time " + t);
  return LocalMidnightUs() + ((h * 60 + m) * 60 + s) * kSecondUs;
}

Schedule TestSchedule() {
  Schedule s;
  s.classes = {
      {1, "文学院", "汉语言文学2101", 6, 8 * 60 + 30, 9 * 60 + 30},
      {1, "文学院", "汉语言文学2102", 5, 8 * 60 + 30, 9 * 60 + 30},
      {1, "历史学院", "历史学2101", 5, 9 * 60 + 30, 10 * 60 + 30},
      {2, "外国语学院", "英语2101", 5, 8 * 60 + 30, 9 * 60 + 30},
      {2, "外国语学院", "英语2102", 5, 8 * 60 + 30, 9 * 60 + 30},
  };
  return s;
}

std::string Reg(const std::string& student_no) { return "1042" + student_no + "00"; }
std::string Masked(const std::string& student_no) { return "张*" + student_no.substr(student_no.size() - 1); }

Roster TestRoster() {
  Roster r;
  r.students.push_back({"202000199", Reg("202000199"), "文学院", "汉语言文学2101", "张旧生", Masked("202000199")});
  for (const auto& c : kClasses) {
    for (int i = 1; i <= 5; ++i) {
      const std::string no = std::string("2021") + c[2] + "0" + std::to_string(i);
      r.students.push_back({no, Reg(no), c[0], c[1], "张同学" + std::to_string(i), Masked(no)});
    }
  }
  return r;
}

RecordBuilder::RecordBuilder(Schedule schedule, Roster roster)
    : judge_(std::move(schedule), std::move(roster), DefaultJudgeConfig(LocalMidnightUs(), kUtcOffsetMinutes)) {}

wire::CaptureEvent RecordBuilder::NewEvent(uint32_t station, const std::string& time, wire::EventKind kind) {
  wire::CaptureEvent e;
  e.set_station(station);
  e.set_epoch(kEpoch);
  e.set_seq(++seqs_[station]);
  e.set_kind(kind);
  e.set_station_time_us(At(time));
  return e;
}

wire::Verdict RecordBuilder::Commit(const wire::CaptureEvent& event) {
  wire::RecordItem item;
  item.set_commit_index(items_.size() + 1);
  item.set_received_time_us(event.station_time_us());
  item.set_event(event.SerializeAsString());
  items_.push_back(item);
  verdicts_.push_back(judge_.Apply(item));
  return verdicts_.back();
}

wire::Verdict RecordBuilder::Read(uint32_t station, const std::string& time, const std::string& registry_no,
                                  const std::string& masked_name) {
  wire::CaptureEvent e = NewEvent(station, time, wire::CODE_READ);
  e.mutable_code()->set_registry_no(registry_no);
  e.mutable_code()->set_masked_name(masked_name);
  return Commit(e);
}

wire::Verdict RecordBuilder::ReadStudent(uint32_t station, const std::string& time, const std::string& student_no) {
  return Read(station, time, Reg(student_no), Masked(student_no));
}

wire::Verdict RecordBuilder::ReadStudentAfterStall(uint32_t station, const std::string& time,
                                                   const std::string& student_no, const std::string& stalled_since) {
  wire::CaptureEvent e = NewEvent(station, time, wire::CODE_READ);
  e.mutable_code()->set_registry_no(Reg(student_no));
  e.mutable_code()->set_masked_name(Masked(student_no));
  e.set_arrived_after_us(At(stalled_since));
  return Commit(e);
}

wire::Verdict RecordBuilder::Shot(uint32_t station, const std::string& time, uint32_t number,
                                  const std::string& capture) {
  char file[32];
  std::snprintf(file, sizeof file, "IMG_%04u.JPG", number);
  const Sha256 sha = ComputeSha256("image " + std::to_string(++images_));
  wire::CaptureEvent e = NewEvent(station, time, wire::SHOT_TAKEN);
  e.mutable_shot()->set_file_name(file);
  e.mutable_shot()->set_shot_number(number);
  e.mutable_shot()->set_sha256(std::string(sha.begin(), sha.end()));
  e.mutable_shot()->set_size_bytes(30000);
  if (!capture.empty()) e.mutable_shot()->set_capture_time_us(At(capture));
  sha_by_file_[std::to_string(station) + "/" + file] = e.shot().sha256();
  return Commit(e);
}

void RecordBuilder::Photograph(uint32_t station, const std::string& time, const std::string& student_no,
                               uint32_t number) {
  ReadStudent(station, time, student_no);
  const std::string shot_time = FormatIso8601(At(time) + 4 * kSecondUs, kUtcOffsetMinutes).substr(11, 8);
  Shot(station, shot_time, number, shot_time);
}

wire::Verdict RecordBuilder::Void(uint32_t station, const std::string& time, const std::string& file_name) {
  wire::CaptureEvent e = NewEvent(station, time, wire::MARK_VOID);
  e.mutable_shot()->set_file_name(file_name);
  e.mutable_shot()->set_sha256(sha_by_file_.at(std::to_string(station) + "/" + file_name));
  e.set_operator_("photographer " + std::to_string(station));
  return Commit(e);
}

wire::Verdict RecordBuilder::Retake(uint32_t station, const std::string& time, const std::string& registry_no) {
  wire::CaptureEvent e = NewEvent(station, time, wire::MARK_RETAKE);
  e.mutable_code()->set_registry_no(registry_no);
  e.set_operator_("photographer " + std::to_string(station));
  return Commit(e);
}

wire::Verdict RecordBuilder::Absent(uint32_t station, const std::string& time, const std::string& student_no) {
  wire::CaptureEvent e = NewEvent(station, time, wire::MARK_ABSENT);
  e.set_student_no(student_no);
  e.set_operator_("assistant " + std::to_string(station));
  return Commit(e);
}

wire::Verdict RecordBuilder::Resolve(uint32_t station, const std::string& time, const std::string& id,
                                     const std::string& reason) {
  wire::CaptureEvent e = NewEvent(station, time, wire::MARK_RESOLVE);
  e.set_anomaly_id(id);
  e.set_detail(reason);
  e.set_operator_("photographer " + std::to_string(station));
  return Commit(e);
}

wire::Verdict RecordBuilder::Unreadable(uint32_t station, const std::string& time) {
  wire::CaptureEvent e = NewEvent(station, time, wire::CODE_UNREADABLE);
  e.set_detail("does not authenticate");
  return Commit(e);
}

wire::Verdict RecordBuilder::EventIn(uint64_t epoch, wire::CaptureEvent event) {
  event.set_epoch(epoch);
  return Commit(event);
}

wire::Verdict RecordBuilder::Observe(wire::Observation observation) {
  wire::RecordItem item;
  item.set_commit_index(items_.size() + 1);
  *item.mutable_observation() = std::move(observation);
  items_.push_back(item);
  verdicts_.push_back(judge_.Apply(item));
  return verdicts_.back();
}

std::vector<AnomalyState> RecordBuilder::OfKind(wire::Anomaly::Kind kind) const {
  std::vector<AnomalyState> out;
  for (const AnomalyState& a : judge_.anomalies()) {
    if (a.anomaly.kind() == kind) out.push_back(a);
  }
  return out;
}

std::string RecordBuilder::Describe() const {
  std::string out;
  for (const AnomalyState& a : judge_.anomalies()) {
    out += a.anomaly.id() + " " + wire::Anomaly::Kind_Name(a.anomaly.kind()) + (a.open() ? " open: " : " resolved: ") +
           a.anomaly.message() + "\n";
  }
  return out.empty() ? "(no anomalies)\n" : out;
}

std::string RecordBuilder::WarningsOrBlockers() const {
  std::string out;
  for (const AnomalyState& a : judge_.anomalies()) {
    if (a.anomaly.severity() >= wire::WARNING) {
      out += a.anomaly.id() + " " + wire::Anomaly::Kind_Name(a.anomaly.kind()) + ": " + a.anomaly.message() + "\n";
    }
  }
  return out;
}

AssignmentRow RecordBuilder::Row(const std::string& student_no) const {
  for (AssignmentRow& row : judge_.Assignment()) {
    if (row.student_no == student_no) return row;
  }
  throw std::invalid_argument("no student " + student_no);
}

wire::Binding::State RecordBuilder::StateOf(uint32_t station, const std::string& file_name) const {
  wire::Binding::State state = wire::Binding::STATE_UNSPECIFIED;
  for (const wire::Verdict& v : verdicts_) {
    for (const wire::Binding& b : v.bindings()) {
      if (b.station() == station && b.file_name() == file_name) state = b.state();
    }
  }
  return state;
}

}  // namespace capture::judge::testing
