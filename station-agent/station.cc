#include "station-agent/station.h"

#include <sys/stat.h>

#include <algorithm>

#include "common/fs.h"
#include "common/log.h"
#include "common/sha256.h"
#include "station-agent/jpeg_info.h"

namespace capture::agent {

namespace {

constexpr std::string_view kLog = "station";

}  // namespace

Station::Station(StationConfig config, Journal* journal, ImageStore images, ShotNamer namer,
                 std::unique_ptr<CodeDecoder> decoder, StationClock* clock, StationOutput* output)
    : config_(std::move(config)),
      journal_(journal),
      images_(std::move(images)),
      namer_(std::move(namer)),
      rules_(config_.station, config_.operator_name, std::move(decoder), clock),
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
    rules_.Remember(event);
    last_time_us_ = event.station_time_us();
    return true;
  });
  if (!st.ok()) return st;
  return parse_error;
}

Status Station::Commit(wire::CaptureEvent event) {
  auto bytes = journal_->Append(&event);
  if (!bytes.ok()) return bytes.status();
  rules_.Remember(event);
  last_time_us_ = event.station_time_us();
  output_->EventJournaled(event, *bytes);
  return Status::Ok();
}

void Station::Alert(const Bilingual& sentence) {
  LogWarn(kLog, sentence.en);
  output_->Alert(sentence);
}

MicrosSinceEpoch Station::TimeOf(const Stamp& stamp) const {
  return stamp.at_us == 0 ? 0 : std::max(stamp.at_us, last_time_us_);
}

Status Station::HandleLine(std::string_view line, const Stamp& stamp) {
  StationRules::Outcome outcome = rules_.OnLine(line, TimeOf(stamp));
  if (outcome.event && stamp.arrived_after_us != 0) outcome.event->set_arrived_after_us(stamp.arrived_after_us);
  if (outcome.event) {
    if (Status st = Commit(std::move(*outcome.event)); !st.ok()) return st;
  }
  if (!outcome.alert.en.empty()) Alert(outcome.alert);
  return Status::Ok();
}

std::optional<MicrosSinceEpoch> Station::ImageTime(const std::string& relative) const {
  const FileKind kind = namer_.Classify(relative).kind;
  if (kind == FileKind::kIgnored || kind == FileKind::kRawTwin) return std::nullopt;
  const std::string path = config_.camera_dir + "/" + relative;
  auto bytes = ReadFile(path);
  if (!bytes.ok()) return std::nullopt;
  if (auto taken = rules_.ImageTime(*bytes)) return taken;
  struct stat st {};
  if (clock_->sim_time() || ::stat(path.c_str(), &st) != 0) return std::nullopt;
  return MicrosSinceEpoch{st.st_mtim.tv_sec} * 1'000'000 + st.st_mtim.tv_nsec / 1000;
}

Status Station::HandleFile(const std::string& relative, const Stamp& stamp) {
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
  // Not synced: the journal's fsync is the one a shot waits for. The original stays in the camera
  // folder, and the agent puts a copy a power cut took back at its next start (RestoreLostImages).
  if (Status st = images_.PutRestorable(*bytes, sha); !st.ok()) return st;

  if (state == JpegState::kNotJpeg || file.kind == FileKind::kUnnumbered) {
    if (Status st = journal_->RecordImageWithoutEvent(relative, sha); !st.ok()) return st;
    const std::string hex = ToHex(sha);
    Alert(state == JpegState::kNotJpeg
              ? Bilingual{"camera file " + relative + " is not a JPEG image; kept in the image store (" + hex +
                              ") but not taken as a shot",
                          "相机文件 " + relative + " 不是 JPEG 图像：已存入图像库（" + hex + "），但不算作照片"}
              : Bilingual{"image " + relative + " has no shot number in its name; kept in the image store (" + hex +
                              ") but bound to nobody: check the camera's file naming",
                          "图像 " + relative + " 的文件名里没有照片编号：已存入图像库（" + hex +
                              "），但不归属任何人；请检查相机的文件命名"});
    return Status::Ok();
  }

  wire::CaptureEvent shot = rules_.ShotEvent(relative, file.shot_number, *bytes, sha, TimeOf(stamp));
  if (stamp.arrived_after_us != 0) shot.set_arrived_after_us(stamp.arrived_after_us);
  return Commit(std::move(shot));
}

}  // namespace capture::agent
