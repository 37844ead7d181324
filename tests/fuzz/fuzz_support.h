// What the fuzz targets share: the input as bytes, a check that stops the run, the site key the
// collection-code target decodes with (write_seeds.cc mints its seed code under the same key), and
// the Ed25519 key pair the signed seeds are signed with (checkpoints, chain heads, proofs), under
// which those targets verify.
#pragma once

#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace capture::fuzz {

inline std::string_view Bytes(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A property the decoder promises that does not hold: libFuzzer reports the abort as a crash and
// saves the input.
[[noreturn]] inline void CheckFailed(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, what);
  std::abort();
}

inline std::string FuzzSiteKey() { return std::string(32, '\x5a'); }

struct FuzzKeyPair {
  std::array<unsigned char, 64> secret_key{};  // libsodium's form: seed || public key
  std::array<unsigned char, 32> public_key{};
};

// From a fixed seed: write_seeds.cc signs with the secret half, the targets verify with the public.
inline const FuzzKeyPair& FuzzSigningKey() {
  static const FuzzKeyPair pair = [] {
    if (sodium_init() < 0) std::abort();
    std::array<unsigned char, crypto_sign_SEEDBYTES> seed;
    seed.fill(0x5b);
    FuzzKeyPair p;
    crypto_sign_seed_keypair(p.public_key.data(), p.secret_key.data(), seed.data());
    return p;
  }();
  return pair;
}

}  // namespace capture::fuzz

#define FUZZ_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : ::capture::fuzz::CheckFailed(#condition, __FILE__, __LINE__))
