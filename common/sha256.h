// SHA-256 (libsodium) and hex helpers.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace capture {

using Sha256 = std::array<unsigned char, 32>;

// Initialises libsodium once; every function here and in collection_code.h calls it.
void EnsureSodium();

Sha256 ComputeSha256(std::string_view bytes);

struct FileHash {
  Sha256 sha256;
  uint64_t size = 0;
};
// The hash of a file's bytes, read in pieces (an image may be large).
Result<FileHash> HashFile(const std::string& path);
std::string ToHex(std::string_view bytes);
inline std::string ToHex(const Sha256& h) { return ToHex({reinterpret_cast<const char*>(h.data()), h.size()}); }
inline std::string AsBytes(const Sha256& h) { return {reinterpret_cast<const char*>(h.data()), h.size()}; }
// Whether two secrets are equal, in time that depends on their length only (sodium_memcmp): how
// long a comparison takes tells nothing of the digits. An empty `expected` matches nothing.
bool SecretsEqual(std::string_view given, std::string_view expected);

// The hash in 32 raw bytes (a proto `bytes` field), or nullopt when it is not 32 bytes long.
std::optional<Sha256> Sha256FromBytes(std::string_view bytes);
// The hash in 64 hex digits (either case), or nullopt when it is not that.
std::optional<Sha256> Sha256FromHex(std::string_view hex);

}  // namespace capture
