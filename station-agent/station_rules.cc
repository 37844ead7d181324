#include "station-agent/station_rules.h"

#include <algorithm>
#include <variant>

#include "station-agent/input.h"
#include "station-agent/jpeg_info.h"
#include "station-agent/shot_name.h"

namespace capture::agent {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

StationRules::Outcome AlertOnly(std::string en, std::string zh) {
  return {std::nullopt, Bilingual{std::move(en), std::move(zh)}};
}

}  // namespace

StationRules::StationRules(uint32_t station, std::string operator_name, std::unique_ptr<CodeDecoder> decoder,
                           StationClock* clock)
    : station_(station), operator_name_(std::move(operator_name)), decoder_(std::move(decoder)), clock_(clock) {}

void StationRules::Remember(const wire::CaptureEvent& event) {
  switch (event.kind()) {
    case wire::CODE_READ:
      last_registry_no_ = event.code().registry_no();
      masked_names_[event.code().registry_no()] = event.code().masked_name();
      break;
    case wire::CODE_UNREADABLE:
      // The student in front of the camera is unknown now: the next shot is bound to nobody.
      last_registry_no_.clear();
      break;
    case wire::SHOT_TAKEN:
      shots_.push_back({event.shot(), last_registry_no_});
      camera_.Moment(event.shot().capture_time_us(), event.station_time_us());
      break;
    default:
      break;
  }
}

void StationRules::Forget() {
  shots_.clear();
  last_registry_no_.clear();
  masked_names_.clear();
}

wire::CaptureEvent StationRules::NewEvent(wire::EventKind kind, MicrosSinceEpoch at_us) const {
  wire::CaptureEvent event;
  event.set_station(station_);
  event.set_kind(kind);
  event.set_station_time_us(at_us != 0 ? at_us : clock_->Now());
  return event;
}

StationRules::Outcome StationRules::OnLine(std::string_view line, MicrosSinceEpoch at_us) {
  auto parsed = ParseInputLine(line, ++line_number_);
  if (!parsed.ok()) {
    // The parser's reason stays as it names it: the operator needs the line and the valid forms.
    return AlertOnly(parsed.status().message(), "第 " + std::to_string(line_number_) + " 行不是有效的标记（" +
                                                    parsed.status().message() + "）");
  }
  auto mark = [&](wire::EventKind kind) {
    wire::CaptureEvent event = NewEvent(kind, at_us);
    event.set_operator_(operator_name_);
    return event;
  };
  return std::visit(
      Overloaded{
          [](const EmptyLine&) { return Outcome{}; },
          [&](const CodeLine& c) { return OnCode(c.code, at_us); },
          [&](const RetakeMark& m) { return OnRetake(m.registry_no, at_us); },
          [&](const VoidMark& m) { return OnVoid(m.shot, at_us); },
          [&](const AbsentMark& m) {
            wire::CaptureEvent event = mark(wire::MARK_ABSENT);
            event.set_student_no(m.student_no);
            return Outcome{std::move(event), {}};
          },
          [&](const ResolveMark& m) {
            wire::CaptureEvent event = mark(wire::MARK_RESOLVE);
            event.set_anomaly_id(m.anomaly_id);
            event.set_detail(m.reason);
            return Outcome{std::move(event), {}};
          },
          [&](const TimeMark& m) {
            if (!clock_->sim_time()) {
              return AlertOnly("input line " + std::to_string(line_number_) +
                                   ": !time sets the station clock only when the agent runs with --sim-time; ignored",
                               "第 " + std::to_string(line_number_) +
                                   " 行：只有代理程序以 --sim-time 运行时，!time 才设置机位时钟；已忽略");
            }
            clock_->Set(m.time, m.utc_offset_minutes);
            return Outcome{};
          },
      },
      *parsed);
}

StationRules::Outcome StationRules::OnCode(const std::string& code, MicrosSinceEpoch at_us) {
  auto decoded = decoder_->Decode(code);
  if (!decoded.ok()) {
    wire::CaptureEvent event = NewEvent(wire::CODE_UNREADABLE, at_us);
    event.set_detail(decoded.status().message());
    const bool not_ours = decoded.status().code() == Status::Code::kNotFound;
    const std::string& why = decoded.status().message();
    Bilingual alert =
        not_ours ? Bilingual{"the collection code could not be read: " + why +
                                 ". Scanning it again cannot help: send the student to the registrar, who checks "
                                 "their code, before the shot.",
                             "采集码读不出：它不是本站点本年度的码（" + why +
                                 "）。重新扫码也没有用：请在拍照前让学生去找登记员核对其码。"}
                 : Bilingual{"the collection code could not be read: " + why +
                                 ". Have the student scan it again before the shot.",
                             "采集码读不出（" + why + "）：请让学生在拍照前重新扫码。"};
    return {std::move(event), std::move(alert)};
  }
  wire::CaptureEvent event = NewEvent(wire::CODE_READ, at_us);
  event.mutable_code()->set_registry_no(decoded->registry_no);
  event.mutable_code()->set_masked_name(decoded->masked_name);
  return {std::move(event), {}};
}

StationRules::Outcome StationRules::OnRetake(const std::optional<std::string>& registry_no, MicrosSinceEpoch at_us) {
  std::string target;
  if (registry_no) {
    target = *registry_no;
  } else if (shots_.empty()) {
    return AlertOnly(
        "!retake without a registry number needs a shot to refer to, and there is none yet; "
        "write !retake REGISTRY_NO",
        "不带学籍号的 !retake 要指向一张照片，但现在还没有照片；请写 !retake 加学籍号");
  } else if (shots_.back().registry_no.empty()) {
    return AlertOnly("!retake: the most recent shot " + shots_.back().shot.file_name() +
                         " follows no code read; write !retake REGISTRY_NO",
                     "!retake：最近的照片 " + shots_.back().shot.file_name() + " 之前没有读到码；请写 !retake 加学籍号");
  } else {
    target = shots_.back().registry_no;
  }
  wire::CaptureEvent event = NewEvent(wire::MARK_RETAKE, at_us);
  event.mutable_code()->set_registry_no(target);
  if (auto known = masked_names_.find(target); known != masked_names_.end()) {
    event.mutable_code()->set_masked_name(known->second);
  }
  event.set_operator_(operator_name_);
  return {std::move(event), {}};
}

const StationRules::ShotRecord* StationRules::FindShot(const std::string& which) const {
  auto latest = [&](auto matches) -> const ShotRecord* {
    const auto it = std::find_if(shots_.rbegin(), shots_.rend(), matches);
    return it == shots_.rend() ? nullptr : &*it;
  };
  if (AllDigits(which)) {
    if (which.size() > 9) return nullptr;  // longer than any shot number
    const unsigned long number = std::stoul(which);
    return latest([&](const ShotRecord& r) { return r.shot.shot_number() == number; });
  }
  if (const ShotRecord* exact = latest([&](const ShotRecord& r) { return r.shot.file_name() == which; })) {
    return exact;
  }
  return latest([&](const ShotRecord& r) { return BaseName(r.shot.file_name()) == which; });
}

StationRules::Outcome StationRules::OnVoid(const std::optional<std::string>& which, MicrosSinceEpoch at_us) {
  if (!which && shots_.empty()) return AlertOnly("!void: there is no shot yet to void", "!void：还没有可以作废的照片");
  const ShotRecord* record = which ? FindShot(*which) : &shots_.back();
  if (record == nullptr) {
    return AlertOnly("!void " + which.value_or("") +
                         ": no shot with that file name or number at this station; nothing voided",
                     "!void " + which.value_or("") + "：本机位没有这个文件名或编号的照片；没有作废任何照片");
  }
  wire::CaptureEvent event = NewEvent(wire::MARK_VOID, at_us);
  *event.mutable_shot() = record->shot;
  event.set_operator_(operator_name_);
  return {std::move(event), {}};
}

std::optional<MicrosSinceEpoch> StationRules::ImageTime(std::string_view bytes) const {
  const auto taken = ReadDateTimeOriginal(bytes);
  if (!taken) return std::nullopt;
  return camera_.Aligned(clock_->FromLocal(*taken));
}

bool StationRules::MakesNoEvent(std::string_view line) {
  auto parsed = ParseInputLine(line, 0);
  return parsed.ok() && (std::holds_alternative<EmptyLine>(*parsed) || std::holds_alternative<TimeMark>(*parsed));
}

wire::CaptureEvent StationRules::ShotEvent(const std::string& relative, uint32_t shot_number, std::string_view bytes,
                                           const Sha256& sha256, MicrosSinceEpoch at_us) const {
  wire::CaptureEvent event = NewEvent(wire::SHOT_TAKEN, at_us);
  wire::Shot* shot = event.mutable_shot();
  shot->set_file_name(relative);
  shot->set_shot_number(shot_number);
  shot->set_sha256(AsBytes(sha256));
  shot->set_size_bytes(bytes.size());
  if (const auto taken = ReadDateTimeOriginal(bytes)) shot->set_capture_time_us(clock_->FromLocal(*taken));
  return event;
}

}  // namespace capture::agent
