// Compact storage for the judge's many short texts (student and registry numbers, masked names,
// file names), so that a roster of millions and a day of millions of shots cost bytes, not
// allocations, per entry. Pure.
//
// A TextArena keeps texts back to back in fixed-size chunks and names each by a 64-bit reference;
// nothing is ever removed. A PackedText is 8 bytes: an all-digit text of up to kMaxPackedDigits
// digits as its length and value (leading zeros kept by the length), any other text as an arena
// reference. The packing is canonical, so two texts are equal exactly when their PackedTexts are
// equal or, both being references, the referenced texts are.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace capture::judge {

class TextArena {
 public:
  using Ref = uint64_t;

  // Copies `text` in and returns its reference (< 2^56).
  Ref Add(std::string_view text);
  // Valid as long as the arena.
  std::string_view View(Ref ref) const;
  size_t bytes() const;

 private:
  static constexpr size_t kChunkBytes = 64 * 1024;
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::vector<uint32_t> sizes_;  // of each chunk
  size_t used_ = 0;              // in the last chunk
};

using PackedText = uint64_t;
inline constexpr size_t kMaxPackedDigits = 17;  // 10^17 < 2^57

// How a text is looked up among PackedTexts without adding it anywhere (`hash`: for an IdIndex).
struct TextKey {
  std::string_view text;
  PackedText packed = 0;  // its packing when it is a short number, else 0
  uint64_t hash = 0;
};
TextKey KeyOf(std::string_view text);

class PackedTexts {
 public:
  PackedText Add(std::string_view text);
  static bool IsNumber(PackedText p) { return (p >> 57) != 0; }
  static uint64_t Value(PackedText p) { return p & ((uint64_t{1} << 57) - 1); }

  std::string Text(PackedText p) const;
  // The text of a PackedText that is no number, without copying it.
  std::string_view View(PackedText p) const { return arena_.View(p); }
  void AppendTo(std::string& out, PackedText p) const;
  bool Matches(PackedText p, const TextKey& key) const {
    return key.packed != 0 ? p == key.packed : !IsNumber(p) && arena_.View(p) == key.text;
  }
  size_t bytes() const { return arena_.bytes(); }

 private:
  TextArena arena_;
};

}  // namespace capture::judge
