// What the fuzz targets share: the input as bytes, a check that stops the run, and the site key the
// collection-code target decodes with (write_seeds.cc mints its seed code under the same key).
#pragma once

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

}  // namespace capture::fuzz

#define FUZZ_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : ::capture::fuzz::CheckFailed(#condition, __FILE__, __LINE__))
