#include "common/sha256.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace capture {

void EnsureSodium() {
  static const bool ready = sodium_init() >= 0;
  (void)ready;
}

Result<FileHash> HashFile(const std::string& path) {
  EnsureSodium();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  FileHash out;
  unsigned char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const Status st = Status::IoError("cannot read " + path + ": " + std::strerror(errno));
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    crypto_hash_sha256_update(&state, buf, static_cast<unsigned long long>(n));
    out.size += static_cast<uint64_t>(n);
  }
  ::close(fd);
  crypto_hash_sha256_final(&state, out.sha256.data());
  return out;
}

Sha256 ComputeSha256(std::string_view bytes) {
  EnsureSodium();
  Sha256 out;
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return out;
}

std::string ToHex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

bool SecretsEqual(std::string_view given, std::string_view expected) {
  EnsureSodium();
  // The length is no secret (a token has a fixed number of digits); the digits are.
  if (expected.empty() || given.size() != expected.size()) return false;
  return sodium_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

std::optional<Sha256> Sha256FromBytes(std::string_view bytes) {
  Sha256 out;
  if (bytes.size() != out.size()) return std::nullopt;
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

std::optional<Sha256> Sha256FromHex(std::string_view hex) {
  Sha256 out;
  if (hex.size() != out.size() * 2) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < out.size(); ++i) {
    const int high = digit(hex[2 * i]);
    const int low = digit(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out[i] = static_cast<unsigned char>(high << 4 | low);
  }
  return out;
}

}  // namespace capture
