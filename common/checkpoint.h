// The coordinator's checkpoint (signed tree head): the record's Merkle tree size and root at an
// instant, signed with the coordinator's Ed25519 key, written as one text line
//
//   checkpoint size=N root=<64 hex> time=<YYYY-MM-DDTHH:MM:SS.ffffffZ> key=<64 hex> sig=<128 hex>
//
// The signature covers CheckpointSignedBytes(size, root, time_us), which docs/record-proofs.md
// writes out byte for byte. A line has exactly one form for a checkpoint: ParseCheckpoint accepts
// only what FormatCheckpoint writes (one trailing '\n' aside), so a line can be compared as text.
//
// Pure and thread-safe: no files, sockets or clock (the caller passes the time in). Parse errors are
// kInvalidArgument naming the field; a signature that does not hold is kCorruption.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/identity.h"
#include "common/sha256.h"
#include "common/status.h"
#include "common/time_format.h"

namespace capture {

using Ed25519PublicKey = std::array<unsigned char, 32>;
using Ed25519Signature = std::array<unsigned char, 64>;
// libsodium's Ed25519 secret key: the 32-byte seed followed by the public key.
using Ed25519SecretKey = std::array<unsigned char, 64>;

struct Checkpoint {
  uint64_t size = 0;
  Sha256 root{};
  MicrosSinceEpoch time_us = 0;
  Ed25519PublicKey key{};
  Ed25519Signature sig{};

  bool operator==(const Checkpoint&) const = default;
};

// What the signature covers: "capture-checkpoint-v1\n" || size (8 bytes, big-endian) || root (32) ||
// time_us (8 bytes, big-endian two's complement). 70 bytes.
std::string CheckpointSignedBytes(uint64_t size, const Sha256& root, MicrosSinceEpoch time_us);

// Signs with `secret_key`; the checkpoint's key is the public half of it. `time_us` must lie in the
// years 0000 to 9999 (UTC), the range the line's time field can write.
Checkpoint SignCheckpoint(uint64_t size, const Sha256& root, MicrosSinceEpoch time_us,
                          const Ed25519SecretKey& secret_key);

// Signs with `identity` (the coordinator's): Checkpoint{size, root, time_us, its public key, its
// signature of CheckpointSignedBytes(size, root, time_us)}.
Checkpoint SignCheckpoint(uint64_t size, const Sha256& root, MicrosSinceEpoch time_us, const Identity& identity);

// The line, without a trailing newline.
std::string FormatCheckpoint(const Checkpoint& checkpoint);

// Reads a line in exactly FormatCheckpoint's form: the fields in order, single spaces, size in
// decimal without leading zeros, hex in lowercase of the exact length, the time as
// FormatIso8601UtcMicros writes it, nothing after sig= but at most one '\n'. Does not check the
// signature.
Result<Checkpoint> ParseCheckpoint(std::string_view line);

// Whether the signature is the checkpoint key's signature of its size, root and time.
Status VerifyCheckpointSignature(const Checkpoint& checkpoint);
// The same, and the checkpoint must be signed by `expected_key` (the coordinator's known key).
Status VerifyCheckpointSignature(const Checkpoint& checkpoint, const Ed25519PublicKey& expected_key);

}  // namespace capture
