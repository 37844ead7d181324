#include "common/frame.h"

namespace capture {

const char* RejectionName(FrameRejection reason) {
  switch (reason) {
    case FrameRejection::kOversized: return "oversized";
    case FrameRejection::kMalformed: return "malformed";
    case FrameRejection::kUnknownVersion: return "unknown_version";
    case FrameRejection::kNoBody: return "no_body";
    case FrameRejection::kBadEvent: return "bad_event";
  }
  return "unknown";
}

std::variant<wire::Frame, FrameError> DecodeFrame(std::string_view bytes) {
  return DecodeFrame(bytes, kMaxFrameBytes);
}

std::variant<wire::Frame, FrameError> DecodeFrame(std::string_view bytes, size_t max_bytes) {
  if (bytes.size() > max_bytes) {
    return FrameError{FrameRejection::kOversized,
                      std::to_string(bytes.size()) + " bytes exceeds the cap of " + std::to_string(max_bytes)};
  }
  wire::Frame frame;
  if (!frame.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return FrameError{FrameRejection::kMalformed, std::to_string(bytes.size()) + " bytes do not parse as a Frame"};
  }
  if (frame.format_version() != wire::FORMAT_VERSION_1) {
    return FrameError{FrameRejection::kUnknownVersion,
                      "format version " + std::to_string(frame.format_version()) + " is not 1"};
  }
  if (frame.body_case() == wire::Frame::BODY_NOT_SET) {
    return FrameError{FrameRejection::kNoBody, "frame carries no message"};
  }
  return frame;
}

std::string EncodeFrame(wire::Frame frame) {
  frame.set_format_version(wire::FORMAT_VERSION_1);
  return frame.SerializeAsString();
}

std::string EncodeEventFrame(std::string_view event_bytes) {
  wire::Frame frame;
  frame.set_event(std::string(event_bytes));
  return EncodeFrame(std::move(frame));
}

std::optional<FrameError> CheckEvent(const wire::CaptureEvent& ev) {
  auto bad = [](std::string why) { return FrameError{FrameRejection::kBadEvent, std::move(why)}; };
  if (ev.station() == 0) return bad("event has no station");
  if (ev.seq() == 0) return bad("event has no sequence number");
  // Only a rejection says where: an accepted event costs no string.
  auto where = [&] { return "station " + std::to_string(ev.station()) + " seq " + std::to_string(ev.seq()); };
  switch (ev.kind()) {
    case wire::CODE_READ:
    case wire::MARK_RETAKE:
      if (ev.code().registry_no().empty()) {
        return bad(where() + ": " + KindName(ev.kind()) + " without registry number");
      }
      break;
    case wire::SHOT_TAKEN:
    case wire::MARK_VOID:
      if (ev.shot().file_name().empty()) return bad(where() + ": " + KindName(ev.kind()) + " without file name");
      if (ev.kind() == wire::SHOT_TAKEN && ev.shot().sha256().size() != 32) {
        return bad(where() + ": shot without a 32-byte SHA-256");
      }
      break;
    case wire::MARK_ABSENT:
      if (ev.student_no().empty()) return bad(where() + ": absent mark without student number");
      break;
    case wire::MARK_RESOLVE:
      if (ev.anomaly_id().empty()) return bad(where() + ": resolve mark without anomaly id");
      break;
    case wire::CODE_UNREADABLE:
      break;
    default:
      return bad(where() + ": unknown event kind " + std::to_string(ev.kind()));
  }
  return std::nullopt;
}

std::variant<wire::CaptureEvent, FrameError> ParseEvent(std::string_view bytes) {
  wire::CaptureEvent ev;
  if (!ev.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return FrameError{FrameRejection::kBadEvent, "event does not parse"};
  }
  if (std::optional<FrameError> error = CheckEvent(ev)) return *std::move(error);
  return ev;
}

std::string KindName(wire::EventKind kind) { return wire::EventKind_Name(kind); }

}  // namespace capture
