// What a station's agent is told of a verdict: judge::ForStation's part of it (its own anomalies,
// students named only by registry number and masked name), as Frame{verdict} frames ready to send.
// Pure.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "capture.pb.h"

namespace capture::coord {

// No frame when the verdict raised and resolved nothing of `station`. Otherwise one frame, or
// several when one would pass common/frame.h's kMaxFrameBytes (the agent would reject it): each
// then carries the same commit index and a share of the anomalies and resolutions, in order.
std::vector<std::string> StationVerdictFrames(const wire::Verdict& verdict, uint32_t station);

// The stations StationVerdictFrames has something for (0, no station, left out), ascending.
std::set<uint32_t> ConcernedStations(const wire::Verdict& verdict);

}  // namespace capture::coord
