#include "common/checkpoint.h"

#include <sodium.h>

#include <charconv>
#include <cstdio>
#include <vector>

#include "common/utf8.h"

namespace capture {

namespace {

static_assert(sizeof(Ed25519PublicKey) == crypto_sign_PUBLICKEYBYTES);
static_assert(sizeof(Ed25519SecretKey) == crypto_sign_SECRETKEYBYTES);
static_assert(sizeof(Ed25519Signature) == crypto_sign_BYTES);

// Versioned, so that a later layout can never be mistaken for this one, and unlike anything else
// the coordinator's key signs.
constexpr std::string_view kSignedPrefix = "capture-checkpoint-v1\n";

constexpr std::string_view kFieldNames[] = {"size", "root", "time", "key", "sig"};

void AppendBigEndian(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>(value >> shift & 0xff);
}

template <size_t N>
std::string Hex(const std::array<unsigned char, N>& bytes) {
  return ToHex(std::string_view(reinterpret_cast<const char*>(bytes.data()), N));
}

// A piece of a bad line for an error message: short, cut between characters, and with no raw
// control character or byte that is not UTF-8 (each shown as \xNN).
std::string Quote(std::string_view text) {
  constexpr size_t kMaxShown = 40;
  const std::string_view shown = FirstChars(text, kMaxShown);
  std::string out = "'";
  for (size_t at = 0; at < shown.size();) {
    const Utf8Char c = DecodeChar(shown, at);
    if (!c.valid || c.value < 0x20 || (c.value >= 0x7f && c.value <= 0x9f)) {
      for (size_t i = 0; i < c.length; ++i) {
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned char>(shown[at + i]));
        out += escaped;
      }
    } else {
      out.append(shown.substr(at, c.length));
    }
    at += c.length;
  }
  if (shown.size() < text.size()) out += "...";
  return out + "'";
}

Status Bad(std::string_view field, const std::string& why) {
  return Status::InvalidArgument("checkpoint line: " + std::string(field) + "= " + why);
}

template <size_t N>
Status DecodeLowerHex(std::string_view field, std::string_view hex, std::array<unsigned char, N>& out) {
  if (hex.size() != 2 * N) {
    return Bad(field, "must be " + std::to_string(2 * N) + " lowercase hex digits, not " + std::to_string(hex.size()));
  }
  for (size_t i = 0; i < hex.size(); ++i) {
    const char c = hex[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return Bad(field, "has " + Quote(hex.substr(i, 1)) + " at digit " + std::to_string(i + 1) +
                            ": only lowercase hex digits (0-9, a-f)");
    }
  }
  auto value = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t i = 0; i < N; ++i) out[i] = static_cast<unsigned char>(value(hex[2 * i]) << 4 | value(hex[2 * i + 1]));
  return Status::Ok();
}

Status ParseSize(std::string_view text, uint64_t& out) {
  if (text.empty()) return Bad("size", "is empty");
  for (char c : text) {
    if (c < '0' || c > '9') return Bad("size", "must be a decimal number, not " + Quote(text));
  }
  if (text.size() > 1 && text[0] == '0') return Bad("size", "has a leading zero: " + Quote(text));
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size()) return Bad("size", "is beyond 2^64 - 1: " + Quote(text));
  return Status::Ok();
}

Status ParseTime(std::string_view text, MicrosSinceEpoch& out) {
  // One instant, one text: anything FormatIso8601UtcMicros would not have written is refused.
  const Result<MicrosSinceEpoch> t = ParseIso8601(text);
  if (!t.ok() || FormatIso8601UtcMicros(*t) != text) {
    return Bad("time", "must be UTC to the microsecond, as 2024-04-22T08:30:05.123456Z, not " + Quote(text));
  }
  out = *t;
  return Status::Ok();
}

}  // namespace

std::string CheckpointSignedBytes(uint64_t size, const Sha256& root, MicrosSinceEpoch time_us) {
  std::string out(kSignedPrefix);
  AppendBigEndian(out, size);
  out += AsBytes(root);
  AppendBigEndian(out, static_cast<uint64_t>(time_us));  // two's complement by the conversion's definition
  return out;
}

Checkpoint SignCheckpoint(uint64_t size, const Sha256& root, MicrosSinceEpoch time_us,
                          const Ed25519SecretKey& secret_key) {
  EnsureSodium();
  Checkpoint checkpoint;
  checkpoint.size = size;
  checkpoint.root = root;
  checkpoint.time_us = time_us;
  crypto_sign_ed25519_sk_to_pk(checkpoint.key.data(), secret_key.data());
  const std::string message = CheckpointSignedBytes(size, root, time_us);
  crypto_sign_detached(checkpoint.sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), secret_key.data());
  return checkpoint;
}

Checkpoint SignCheckpoint(uint64_t size, const Sha256& root, MicrosSinceEpoch time_us, const Identity& identity) {
  return {size, root, time_us, identity.public_key(), identity.Sign(CheckpointSignedBytes(size, root, time_us))};
}

std::string FormatCheckpoint(const Checkpoint& checkpoint) {
  return "checkpoint size=" + std::to_string(checkpoint.size) + " root=" + ToHex(checkpoint.root) +
         " time=" + FormatIso8601UtcMicros(checkpoint.time_us) + " key=" + Hex(checkpoint.key) +
         " sig=" + Hex(checkpoint.sig);
}

Result<Checkpoint> ParseCheckpoint(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  std::vector<std::string_view> words;
  for (size_t start = 0;;) {
    const size_t space = line.find(' ', start);
    words.push_back(line.substr(start, space - start));
    if (space == std::string_view::npos) break;
    start = space + 1;
  }
  if (words[0] != "checkpoint") {
    return Status::InvalidArgument("not a checkpoint line: it starts with " + Quote(words[0]) + ", not 'checkpoint '");
  }
  std::string_view values[std::size(kFieldNames)];
  for (size_t i = 0; i < std::size(kFieldNames); ++i) {
    const std::string_view name = kFieldNames[i];
    if (i + 1 >= words.size()) return Bad(name, "is missing");
    const std::string_view word = words[i + 1];
    if (word.size() <= name.size() || word.substr(0, name.size()) != name || word[name.size()] != '=') {
      const std::string after = i == 0 ? "'checkpoint'" : std::string(kFieldNames[i - 1]) + "=";
      return Status::InvalidArgument("checkpoint line: expected " + std::string(name) + "= after " + after +
                                     ", found " + Quote(word));
    }
    values[i] = word.substr(name.size() + 1);
  }
  if (words.size() > std::size(kFieldNames) + 1) {
    return Status::InvalidArgument("checkpoint line: nothing may follow sig=, found " +
                                   Quote(words[std::size(kFieldNames) + 1]));
  }
  Checkpoint checkpoint;
  if (Status st = ParseSize(values[0], checkpoint.size); !st.ok()) return st;
  if (Status st = DecodeLowerHex("root", values[1], checkpoint.root); !st.ok()) return st;
  if (Status st = ParseTime(values[2], checkpoint.time_us); !st.ok()) return st;
  if (Status st = DecodeLowerHex("key", values[3], checkpoint.key); !st.ok()) return st;
  if (Status st = DecodeLowerHex("sig", values[4], checkpoint.sig); !st.ok()) return st;
  return checkpoint;
}

Status VerifyCheckpointSignature(const Checkpoint& checkpoint) {
  EnsureSodium();
  const std::string message = CheckpointSignedBytes(checkpoint.size, checkpoint.root, checkpoint.time_us);
  if (crypto_sign_verify_detached(checkpoint.sig.data(), reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size(), checkpoint.key.data()) != 0) {
    return Status::Corruption("checkpoint of size " + std::to_string(checkpoint.size) + " at " +
                              FormatIso8601UtcMicros(checkpoint.time_us) +
                              ": the signature does not verify under key " + Hex(checkpoint.key));
  }
  return Status::Ok();
}

Status VerifyCheckpointSignature(const Checkpoint& checkpoint, const Ed25519PublicKey& expected_key) {
  if (checkpoint.key != expected_key) {
    return Status::Corruption("checkpoint signed by key " + Hex(checkpoint.key) + ", expected " + Hex(expected_key));
  }
  return VerifyCheckpointSignature(checkpoint);
}

}  // namespace capture
