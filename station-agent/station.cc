#include "station-agent/station.h"

#include <algorithm>
#include <variant>

#include "common/fs.h"
#include "common/log.h"
#include "common/sha256.h"
#include "station-agent/input.h"
#include "station-agent/jpeg_info.h"

namespace capture::agent {

namespace {

constexpr std::string_view kLog = "station";

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Station::Station(StationConfig config, Journal* journal, ImageStore images, ShotNamer namer,
                 std::unique_ptr<CodeDecoder> decoder, StationClock* clock, StationOutput* output)
    : config_(std::move(config)),
      journal_(journal),
      images_(std::move(images)),
      namer_(std::move(namer)),
      decoder_(std::move(decoder)),
      clock_(clock),
      output_(output) {}

Status Station::RebuildHistory() {
  Status parse_error;
  Status st = journal_->ForEachEvent(1, [&](uint64_t seq, std::string_view bytes) {
    wire::CaptureEvent event;
    if (!event.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      parse_error = Status::Corruption("journal event " + std::to_string(seq) + " does not parse");
      return false;
    }
    Remember(event);
    return true;
  });
  if (!st.ok()) return st;
  return parse_error;
}

void Station::Remember(const wire::CaptureEvent& event) {
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
      break;
    default:
      break;
  }
}

wire::CaptureEvent Station::NewEvent(wire::EventKind kind) const {
  wire::CaptureEvent event;
  event.set_station(config_.station);
  event.set_kind(kind);
  event.set_station_time_us(clock_->Now());
  return event;
}

Status Station::Commit(wire::CaptureEvent event) {
  auto bytes = journal_->Append(&event);
  if (!bytes.ok()) return bytes.status();
  Remember(event);
  output_->EventJournaled(event, *bytes);
  return Status::Ok();
}

void Station::Alert(const std::string& sentence) {
  LogWarn(kLog, sentence);
  output_->Alert(sentence);
}

Status Station::HandleLine(std::string_view line) {
  auto parsed = ParseInputLine(line, ++line_number_);
  if (!parsed.ok()) {
    Alert(parsed.status().message());
    return Status::Ok();
  }
  return std::visit(
      Overloaded{
          [](const EmptyLine&) { return Status::Ok(); },
          [&](const CodeLine& c) { return OnCode(c.code); },
          [&](const RetakeMark& m) { return OnRetake(m.registry_no); },
          [&](const VoidMark& m) { return OnVoid(m.shot); },
          [&](const AbsentMark& m) {
            wire::CaptureEvent event = NewEvent(wire::MARK_ABSENT);
            event.set_student_no(m.student_no);
            event.set_operator_(config_.operator_name);
            return Commit(std::move(event));
          },
          [&](const ResolveMark& m) {
            wire::CaptureEvent event = NewEvent(wire::MARK_RESOLVE);
            event.set_anomaly_id(m.anomaly_id);
            event.set_detail(m.reason);
            event.set_operator_(config_.operator_name);
            return Commit(std::move(event));
          },
          [&](const TimeMark& m) {
            if (!clock_->sim_time()) {
              Alert("input line " + std::to_string(line_number_) +
                    ": !time sets the station clock only when the agent runs with --sim-time; ignored");
            } else {
              clock_->Set(m.time, m.utc_offset_minutes);
            }
            return Status::Ok();
          },
      },
      *parsed);
}

Status Station::OnCode(const std::string& code) {
  auto decoded = decoder_->Decode(code);
  if (!decoded.ok()) {
    wire::CaptureEvent event = NewEvent(wire::CODE_UNREADABLE);
    event.set_detail(decoded.status().message());
    if (Status st = Commit(std::move(event)); !st.ok()) return st;
    Alert("the collection code could not be read: " + decoded.status().message() +
          ". Have the student scan it again before the shot.");
    return Status::Ok();
  }
  wire::CaptureEvent event = NewEvent(wire::CODE_READ);
  event.mutable_code()->set_registry_no(decoded->registry_no);
  event.mutable_code()->set_masked_name(decoded->masked_name);
  return Commit(std::move(event));
}

Status Station::OnRetake(const std::optional<std::string>& registry_no) {
  std::string target;
  if (registry_no) {
    target = *registry_no;
  } else if (shots_.empty()) {
    Alert("!retake without a registry number needs a shot to refer to, and there is none yet; "
          "write !retake REGISTRY_NO");
    return Status::Ok();
  } else if (shots_.back().registry_no.empty()) {
    Alert("!retake: the most recent shot " + shots_.back().shot.file_name() +
          " follows no code read; write !retake REGISTRY_NO");
    return Status::Ok();
  } else {
    target = shots_.back().registry_no;
  }
  wire::CaptureEvent event = NewEvent(wire::MARK_RETAKE);
  event.mutable_code()->set_registry_no(target);
  if (auto known = masked_names_.find(target); known != masked_names_.end()) {
    event.mutable_code()->set_masked_name(known->second);
  }
  event.set_operator_(config_.operator_name);
  return Commit(std::move(event));
}

const Station::ShotRecord* Station::FindShot(const std::string& which) const {
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

Status Station::OnVoid(const std::optional<std::string>& which) {
  const ShotRecord* record = nullptr;
  if (!which) {
    if (shots_.empty()) {
      Alert("!void: there is no shot yet to void");
      return Status::Ok();
    }
    record = &shots_.back();
  } else {
    record = FindShot(*which);
  }
  if (record == nullptr) {
    Alert("!void " + which.value_or("") + ": no shot with that file name or number at this station; nothing voided");
    return Status::Ok();
  }
  wire::CaptureEvent event = NewEvent(wire::MARK_VOID);
  *event.mutable_shot() = record->shot;
  event.set_operator_(config_.operator_name);
  return Commit(std::move(event));
}

Status Station::HandleFile(const std::string& relative) {
  const FileClass file = namer_.Classify(relative);
  if (file.kind == FileKind::kIgnored) return Status::Ok();
  if (file.kind == FileKind::kRawTwin) {
    LogInfo(kLog, "RAW file " + relative + " ignored: its JPEG twin is the shot");
    return Status::Ok();
  }
  auto bytes = ReadFile(config_.camera_dir + "/" + relative);
  if (!bytes.ok()) {
    // Gone again (renamed or deleted by the tethering software): its new name is reported separately.
    LogWarn(kLog, "cannot read camera file: " + bytes.status().message());
    return Status::Ok();
  }
  const JpegState state = CheckJpeg(*bytes);
  if (state == JpegState::kIncomplete) {
    LogInfo(kLog, relative + " is not complete yet (" + std::to_string(bytes->size()) +
                      " bytes, no JPEG end marker); waiting for the camera to finish it");
    return Status::Ok();
  }
  const Sha256 sha = ComputeSha256(*bytes);
  auto seen = journal_->HasImage(relative, sha);
  if (!seen.ok()) return seen.status();
  if (*seen) return Status::Ok();
  if (Status st = images_.Put(*bytes, sha); !st.ok()) return st;

  if (state == JpegState::kNotJpeg || file.kind == FileKind::kUnnumbered) {
    if (Status st = journal_->RecordImageWithoutEvent(relative, sha); !st.ok()) return st;
    Alert(state == JpegState::kNotJpeg
              ? "camera file " + relative + " is not a JPEG image; kept in the image store (" + ToHex(sha) +
                    ") but not taken as a shot"
              : "image " + relative + " has no shot number in its name; kept in the image store (" + ToHex(sha) +
                    ") but bound to nobody: check the camera's file naming");
    return Status::Ok();
  }

  wire::CaptureEvent event = NewEvent(wire::SHOT_TAKEN);
  wire::Shot* shot = event.mutable_shot();
  shot->set_file_name(relative);
  shot->set_shot_number(file.shot_number);
  shot->set_sha256(AsBytes(sha));
  shot->set_size_bytes(bytes->size());
  if (const auto taken = ReadDateTimeOriginal(*bytes)) shot->set_capture_time_us(clock_->FromLocal(*taken));
  return Commit(std::move(event));
}

}  // namespace capture::agent
