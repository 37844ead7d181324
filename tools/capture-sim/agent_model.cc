#include "tools/capture-sim/agent_model.h"

#include "common/sha256.h"
#include "station-agent/jpeg_info.h"

namespace capture::sim {

AgentModel::AgentModel(uint32_t station, uint64_t epoch, const SiteKey& key)
    : epoch_(epoch),
      namer_(std::move(agent::ShotNamer::Make()).value()),
      rules_(station, "station-" + std::to_string(station), MakeDemoCodeDecoder(key), &clock_) {}

void AgentModel::Replace(uint64_t epoch) {
  epoch_ = epoch;
  seq_ = 0;
  rules_.Forget();
}

// As Journal::Append does, then Station::Commit.
wire::CaptureEvent AgentModel::Commit(wire::CaptureEvent event) {
  event.set_epoch(epoch_);
  event.set_seq(++seq_);
  rules_.Remember(event);
  return event;
}

std::optional<wire::CaptureEvent> AgentModel::Apply(const StationAction& action, const agent::Stamp& stamp) {
  std::optional<wire::CaptureEvent> event;
  if (action.kind == StationAction::Kind::kImage) {
    const agent::FileClass file = namer_.Classify(action.file_name);
    if (file.kind != agent::FileKind::kShot || agent::CheckJpeg(action.bytes) != agent::JpegState::kComplete) {
      return std::nullopt;  // the agent keeps it, alerts, and journals no event
    }
    event = rules_.ShotEvent(action.file_name, file.shot_number, action.bytes, ComputeSha256(action.bytes), stamp.at_us);
  } else {
    event = std::move(rules_.OnLine(action.line, stamp.at_us).event);
  }
  if (!event) return std::nullopt;
  if (stamp.arrived_after_us != 0) event->set_arrived_after_us(stamp.arrived_after_us);
  return Commit(std::move(*event));
}

}  // namespace capture::sim
