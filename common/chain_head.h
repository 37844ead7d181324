// A station's signed chain head (proto/capture.proto, ChainHead): what the station vouches for.
// Each station chains its events (CaptureEvent.prev_sha256) and signs the newest link a few times
// a second, so that neither a coordinator operator nor a store writer can invent, drop or change
// one of its events without breaking a signature the station made. Pure.
#pragma once

#include <cstdint>
#include <string>

#include "capture.pb.h"
#include "common/identity.h"
#include "common/sha256.h"
#include "common/status.h"

namespace capture {

// The signed bytes: "capture-chain-v1\n" || station u32 || epoch u64 || seq u64 || sha256[32] ||
// station_time_us i64, integers big-endian.
std::string ChainHeadSignedBytes(uint32_t station, uint64_t epoch, uint64_t seq, const Sha256& sha256,
                                 int64_t station_time_us);
wire::ChainHead SignChainHead(const Identity& station_key, uint32_t station, uint64_t epoch, uint64_t seq,
                              const Sha256& sha256, int64_t station_time_us);
// OK when `head` is well formed and signed by `key`; else InvalidArgument saying which.
Status VerifyChainHead(const wire::ChainHead& head, const PublicKey& key);

}  // namespace capture
