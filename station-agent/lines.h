// The agent's stdout protocol, one line each (scripts and the simulator read it):
//   ready station=N epoch=<16 hex> last_seq=S
//   event station=N seq=S kind=<EventKind name> k=v ...
//   alert station=N <sentence for the operator>
// A value holding a space, a double quote or a backslash, or an empty value, is written in double
// quotes with \" and \\ escaped. Pure: formatting only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "capture.pb.h"
#include "common/identity.h"

namespace capture::agent {

std::string QuoteValue(std::string_view value);

// `key`: the station's public key (common/identity.h), as the registrar enrols it.
std::string FormatReadyLine(uint32_t station, uint64_t epoch, uint64_t last_seq, const PublicKey& key);

// Keys per kind: CODE_READ registry_no= masked_name=; CODE_UNREADABLE reason=;
// SHOT_TAKEN shot=0412 file= sha256=; MARK_VOID shot= file=; MARK_RETAKE registry_no=;
// MARK_ABSENT student_no=; MARK_RESOLVE anomaly= reason=.
std::string FormatEventLine(const wire::CaptureEvent& event);

// Control characters in the sentence become spaces: one alert is one line.
std::string FormatAlertLine(uint32_t station, std::string_view sentence);

}  // namespace capture::agent
