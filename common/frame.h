// The wire codec: one ZeroMQ message = one serialized capture.wire.Frame (proto/capture.proto).
// Frames over kMaxFrameBytes are rejected before parsing; every rejection has a typed reason
// so receivers can count them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "capture.pb.h"
#include "common/status.h"

namespace capture {

inline constexpr size_t kMaxFrameBytes = 64 * 1024;
// The most image bytes one ImageChunk carries: with its envelope it stays under kMaxFrameBytes.
inline constexpr size_t kImageChunkBytes = 60 * 1024;

enum class FrameRejection { kOversized, kMalformed, kUnknownVersion, kNoBody, kBadEvent };
// "oversized", "malformed", ... : stable, used as counter labels.
const char* RejectionName(FrameRejection reason);

struct FrameError {
  FrameRejection reason;
  std::string detail;
};

std::variant<wire::Frame, FrameError> DecodeFrame(std::string_view bytes);
// The same with a cap of the caller's: for a client that asked for a reply that may be larger than
// kMaxFrameBytes (an export).
std::variant<wire::Frame, FrameError> DecodeFrame(std::string_view bytes, size_t max_bytes);

// Serializes with the current format version set.
std::string EncodeFrame(wire::Frame frame);
std::string EncodeEventFrame(std::string_view event_bytes);

// Parses and checks a stored or received CaptureEvent: station and seq set, kind known, and the
// fields its kind needs present.
std::variant<wire::CaptureEvent, FrameError> ParseEvent(std::string_view event_bytes);
// ParseEvent's checks alone, of an event parsed already (e.g. into a reused message): the error
// ParseEvent would give, or nullopt.
std::optional<FrameError> CheckEvent(const wire::CaptureEvent& event);

// "CODE_READ", "SHOT_TAKEN", ...
std::string KindName(wire::EventKind kind);

}  // namespace capture
