#include "coordinator/judge/packed_text.h"

#include <algorithm>
#include <cstring>
#include <functional>

#include "coordinator/judge/id_index.h"

namespace capture::judge {

namespace {

// The packing of a short all-digit text, else 0.
PackedText PackNumber(std::string_view text) {
  if (text.empty() || text.size() > kMaxPackedDigits) return 0;
  uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return 0;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return (uint64_t{text.size()} << 57) | value;
}

uint64_t HashNumber(PackedText p) { return MixBits(p); }
uint64_t HashOther(std::string_view text) {
  return MixBits(std::hash<std::string_view>{}(text) ^ 0x9e3779b97f4a7c15ULL);
}

}  // namespace

TextArena::Ref TextArena::Add(std::string_view text) {
  // A varint length, then the bytes; a text never straddles two chunks.
  char head[10];
  size_t head_size = 0;
  for (uint64_t n = text.size();; n >>= 7) {
    head[head_size++] = static_cast<char>((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    if (n < 0x80) break;
  }
  const size_t need = head_size + text.size();
  if (chunks_.empty() || used_ + need > sizes_.back()) {
    const size_t size = std::max(kChunkBytes, need);
    chunks_.push_back(std::make_unique<char[]>(size));
    sizes_.push_back(static_cast<uint32_t>(size));
    used_ = 0;
  }
  char* at = chunks_.back().get() + used_;
  std::memcpy(at, head, head_size);
  if (!text.empty()) std::memcpy(at + head_size, text.data(), text.size());
  const Ref ref = (static_cast<uint64_t>(chunks_.size() - 1) << 32) | used_;
  used_ += need;
  return ref;
}

std::string_view TextArena::View(Ref ref) const {
  const char* at = chunks_[ref >> 32].get() + (ref & 0xffffffffULL);
  uint64_t size = 0;
  for (int shift = 0;; shift += 7) {
    const auto byte = static_cast<unsigned char>(*at++);
    size |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  return {at, static_cast<size_t>(size)};
}

size_t TextArena::bytes() const {
  size_t total = 0;
  for (uint32_t size : sizes_) total += size;
  return total;
}

TextKey KeyOf(std::string_view text) {
  TextKey key{text, PackNumber(text), 0};
  key.hash = key.packed != 0 ? HashNumber(key.packed) : HashOther(text);
  return key;
}

PackedText PackedTexts::Add(std::string_view text) {
  const PackedText number = PackNumber(text);
  return number != 0 ? number : arena_.Add(text);
}

void PackedTexts::AppendTo(std::string& out, PackedText p) const {
  if (!IsNumber(p)) {
    out += arena_.View(p);
    return;
  }
  // Two digits per division: verdicts spell a registry number for every binding.
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  char digits[kMaxPackedDigits];
  const size_t size = p >> 57;
  uint64_t value = Value(p);
  size_t i = size;
  for (; i >= 2; i -= 2, value /= 100) std::memcpy(digits + i - 2, kPairs + 2 * (value % 100), 2);
  if (i == 1) digits[0] = static_cast<char>('0' + value % 10);
  out.append(digits, size);
}

std::string PackedTexts::Text(PackedText p) const {
  std::string out;
  AppendTo(out, p);
  return out;
}

}  // namespace capture::judge
