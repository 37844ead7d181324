#include "tools/capture-sim/agent_model.h"

#include <algorithm>
#include <variant>

#include "common/sha256.h"
#include "station-agent/input.h"
#include "station-agent/jpeg_info.h"

namespace capture::sim {

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

}  // namespace

AgentModel::AgentModel(uint32_t station, uint64_t epoch, const SiteKey& key)
    : station_(station),
      epoch_(epoch),
      operator_name_("station-" + std::to_string(station)),
      decoder_(MakeDemoCodeDecoder(key)),
      namer_(std::move(agent::ShotNamer::Make()).value()) {}

void AgentModel::Replace(uint64_t epoch) {
  epoch_ = epoch;
  seq_ = 0;
  shots_.clear();
  last_registry_no_.clear();
  masked_names_.clear();
}

wire::CaptureEvent AgentModel::NewEvent(wire::EventKind kind) const {
  wire::CaptureEvent event;
  event.set_station(station_);
  event.set_kind(kind);
  event.set_station_time_us(clock_.Now());
  return event;
}

// As Journal::Append and Station::Remember do.
wire::CaptureEvent AgentModel::Commit(wire::CaptureEvent event) {
  event.set_epoch(epoch_);
  event.set_seq(++seq_);
  switch (event.kind()) {
    case wire::CODE_READ:
      last_registry_no_ = event.code().registry_no();
      masked_names_[event.code().registry_no()] = event.code().masked_name();
      break;
    case wire::CODE_UNREADABLE:
      last_registry_no_.clear();
      break;
    case wire::SHOT_TAKEN:
      shots_.push_back({event.shot(), last_registry_no_});
      break;
    default:
      break;
  }
  return event;
}

std::optional<wire::CaptureEvent> AgentModel::Apply(const StationAction& action) {
  if (action.kind == StationAction::Kind::kImage) return OnImage(action);
  return OnLine(action.line);
}

std::optional<wire::CaptureEvent> AgentModel::OnLine(const std::string& line) {
  auto parsed = agent::ParseInputLine(line, ++line_number_);
  if (!parsed.ok()) return std::nullopt;
  using Out = std::optional<wire::CaptureEvent>;
  return std::visit(
      Overloaded{
          [](const agent::EmptyLine&) -> Out { return std::nullopt; },
          [&](const agent::CodeLine& c) -> Out {
            auto decoded = decoder_->Decode(c.code);
            if (!decoded.ok()) {
              wire::CaptureEvent event = NewEvent(wire::CODE_UNREADABLE);
              event.set_detail(decoded.status().message());
              return Commit(std::move(event));
            }
            wire::CaptureEvent event = NewEvent(wire::CODE_READ);
            event.mutable_code()->set_registry_no(decoded->registry_no);
            event.mutable_code()->set_masked_name(decoded->masked_name);
            return Commit(std::move(event));
          },
          [&](const agent::RetakeMark& m) -> Out {
            std::string target;
            if (m.registry_no) {
              target = *m.registry_no;
            } else if (shots_.empty() || shots_.back().registry_no.empty()) {
              return std::nullopt;  // the agent alerts instead
            } else {
              target = shots_.back().registry_no;
            }
            wire::CaptureEvent event = NewEvent(wire::MARK_RETAKE);
            event.mutable_code()->set_registry_no(target);
            if (auto known = masked_names_.find(target); known != masked_names_.end()) {
              event.mutable_code()->set_masked_name(known->second);
            }
            event.set_operator_(operator_name_);
            return Commit(std::move(event));
          },
          [&](const agent::VoidMark& m) -> Out {
            const ShotRecord* record = m.shot ? FindShot(*m.shot) : (shots_.empty() ? nullptr : &shots_.back());
            if (record == nullptr) return std::nullopt;
            wire::CaptureEvent event = NewEvent(wire::MARK_VOID);
            *event.mutable_shot() = record->shot;
            event.set_operator_(operator_name_);
            return Commit(std::move(event));
          },
          [&](const agent::AbsentMark& m) -> Out {
            wire::CaptureEvent event = NewEvent(wire::MARK_ABSENT);
            event.set_student_no(m.student_no);
            event.set_operator_(operator_name_);
            return Commit(std::move(event));
          },
          [&](const agent::ResolveMark& m) -> Out {
            wire::CaptureEvent event = NewEvent(wire::MARK_RESOLVE);
            event.set_anomaly_id(m.anomaly_id);
            event.set_detail(m.reason);
            event.set_operator_(operator_name_);
            return Commit(std::move(event));
          },
          [&](const agent::TimeMark& m) -> Out {
            clock_.Set(m.time, m.utc_offset_minutes);
            return std::nullopt;
          },
      },
      *parsed);
}

const AgentModel::ShotRecord* AgentModel::FindShot(const std::string& which) const {
  auto latest = [&](auto matches) -> const ShotRecord* {
    const auto it = std::find_if(shots_.rbegin(), shots_.rend(), matches);
    return it == shots_.rend() ? nullptr : &*it;
  };
  if (AllDigits(which)) {
    if (which.size() > 9) return nullptr;
    const unsigned long number = std::stoul(which);
    return latest([&](const ShotRecord& r) { return r.shot.shot_number() == number; });
  }
  if (const ShotRecord* exact = latest([&](const ShotRecord& r) { return r.shot.file_name() == which; })) return exact;
  return latest([&](const ShotRecord& r) { return agent::BaseName(r.shot.file_name()) == which; });
}

std::optional<wire::CaptureEvent> AgentModel::OnImage(const StationAction& action) {
  const agent::FileClass file = namer_.Classify(action.file_name);
  if (file.kind != agent::FileKind::kShot || agent::CheckJpeg(action.bytes) != agent::JpegState::kComplete) {
    return std::nullopt;
  }
  const Sha256 sha = ComputeSha256(action.bytes);
  wire::CaptureEvent event = NewEvent(wire::SHOT_TAKEN);
  wire::Shot* shot = event.mutable_shot();
  shot->set_file_name(action.file_name);
  shot->set_shot_number(file.shot_number);
  shot->set_sha256(AsBytes(sha));
  shot->set_size_bytes(action.bytes.size());
  if (const auto taken = agent::ReadDateTimeOriginal(action.bytes)) shot->set_capture_time_us(clock_.FromLocal(*taken));
  return Commit(std::move(event));
}

}  // namespace capture::sim
