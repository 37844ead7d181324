// A small seeded generator whose output is the same on every platform and standard library
// (std::uniform_int_distribution is not), so a seed always gives the same roster and images.
// Not for secrets.
#pragma once

#include <cstdint>

namespace capture::sim {

// SplitMix64 (Steele, Lea, Flood 2014).
class SeededRandom {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform in [0, bound); the modulo bias is below 2^-40 for the small bounds used here.
  uint64_t Below(uint64_t bound) { return Next() % bound; }

 private:
  uint64_t state_;
};

}  // namespace capture::sim
