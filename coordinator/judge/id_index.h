// A hash index of 32-bit ids (students, shots) whose keys live elsewhere, in the caller's records:
// 8 bytes a slot instead of a node and a copy of the key per entry. Each slot keeps 32 bits of its
// key's hash, so a probe rarely touches a record that does not match. Open addressing with linear
// probing; ids are never removed, only re-pointed. Used for lookups only, never iterated, so the
// judge's outputs do not depend on its layout. Pure; header-only because Find is a template.
#pragma once

#include <cstdint>
#include <vector>

namespace capture::judge {

// Spreads a key's bits over all 64 (murmur3's finalizer), for keys that are not random already.
inline uint64_t MixBits(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

class IdIndex {
 public:
  static constexpr uint32_t kNoId = UINT32_MAX;

  // Room for `n` ids without growing.
  void Reserve(size_t n) {
    if (n + n / 3 + 1 > slots_.size()) Rebuild(n + n / 3 + 1);
  }

  // The slot of the id whose key has `hash` and satisfies `matches(id)`, or the empty slot where
  // such an id goes (*slot == kNoId). Valid until the next Add.
  template <typename Matches>
  uint32_t* Find(uint64_t hash, Matches matches) {
    if (slots_.empty()) Rebuild(16);
    const auto tag = static_cast<uint32_t>(hash >> 32);
    for (size_t i = Home(tag);; i = i + 1 == slots_.size() ? 0 : i + 1) {
      Slot& s = slots_[i];
      if (s.id == kNoId) {
        s.tag = tag;  // an empty slot remembers the tag so that Add needs no second probe
        return &s.id;
      }
      if (s.tag == tag && matches(s.id)) return &s.id;
    }
  }
  template <typename Matches>
  uint32_t Lookup(uint64_t hash, Matches matches) const {
    if (slots_.empty()) return kNoId;
    const auto tag = static_cast<uint32_t>(hash >> 32);
    for (size_t i = Home(tag);; i = i + 1 == slots_.size() ? 0 : i + 1) {
      const Slot& s = slots_[i];
      if (s.id == kNoId) return kNoId;
      if (s.tag == tag && matches(s.id)) return s.id;
    }
  }
  // Fills the empty slot Find returned.
  void Add(uint32_t* slot, uint32_t id) {
    *slot = id;
    if (++size_ * 4 > slots_.size() * 3) Rebuild(slots_.size() * 2);
  }

 private:
  struct Slot {
    uint32_t id = kNoId;
    uint32_t tag = 0;
  };
  size_t Home(uint32_t tag) const { return static_cast<size_t>((uint64_t{tag} * slots_.size()) >> 32); }
  void Rebuild(size_t capacity) {
    std::vector<Slot> old(capacity);
    old.swap(slots_);
    for (const Slot& s : old) {
      if (s.id == kNoId) continue;
      size_t i = Home(s.tag);
      while (slots_[i].id != kNoId) i = i + 1 == slots_.size() ? 0 : i + 1;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace capture::judge
