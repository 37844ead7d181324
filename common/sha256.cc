#include "common/sha256.h"

#include <sodium.h>

namespace capture {

void EnsureSodium() {
  static const bool ready = sodium_init() >= 0;
  (void)ready;
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

}  // namespace capture
