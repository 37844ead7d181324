#include "coordinator/proof/record_leaves.h"

#include <sodium.h>

#include "common/merkle.h"

namespace capture::coord {

namespace {

// The tags with their terminating NUL: a tag is never a prefix of another tag or of an item.
using namespace std::string_view_literals;  // "…"sv keeps the NULs inside a literal
constexpr std::string_view kInputTags[kInputLeaves] = {
    "capture-input-v1\0schedule\0"sv,
    "capture-input-v1\0roster\0"sv,
    "capture-input-v1\0config\0"sv,
    "capture-input-v1\0station-keys\0"sv,
};
constexpr std::string_view kItemTag = "capture-item-v1\0"sv;
constexpr std::string_view kRosterRecordTag = "capture-roster-record-v1\0"sv;

void PutBig64(unsigned char out[8], uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<unsigned char>(v & 0xff);
    v >>= 8;
  }
}
void AppendBig64(std::string& out, uint64_t v) {
  unsigned char bytes[8];
  PutBig64(bytes, v);
  out.append(reinterpret_cast<const char*>(bytes), sizeof bytes);
}
uint64_t GetBig64(std::string_view bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = v << 8 | static_cast<unsigned char>(bytes[i]);
  return v;
}

void Update(crypto_hash_sha256_state& state, std::string_view bytes) {
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string RosterContent(std::string_view roster_csv) {
  MerkleFrontier records;
  size_t pos = 0;
  while (const auto record = NextCsvRecord(roster_csv, &pos)) records.Append(RosterRecordHash(*record));
  std::string content;
  AppendBig64(content, records.size());
  content += AsBytes(records.Root());
  return content;
}

}  // namespace

std::string_view InputLeafName(InputLeaf kind) {
  switch (kind) {
    case InputLeaf::kSchedule: return "schedule";
    case InputLeaf::kRoster: return "roster";
    case InputLeaf::kConfig: return "config";
    case InputLeaf::kStationKeys: return "station-keys";
  }
  return "unknown";
}

std::array<std::string, kInputLeaves> InputLeaves(const StoredJudgeInputs& inputs) {
  auto tagged = [](InputLeaf kind, std::string_view content) {
    return std::string(kInputTags[static_cast<uint64_t>(kind)]) + std::string(content);
  };
  return {tagged(InputLeaf::kSchedule, inputs.schedule_csv), tagged(InputLeaf::kRoster, RosterContent(inputs.roster_csv)),
          tagged(InputLeaf::kConfig, inputs.config), tagged(InputLeaf::kStationKeys, inputs.station_keys_csv)};
}

Result<ParsedInputLeaf> ParseInputLeaf(std::string_view leaf) {
  for (uint64_t i = 0; i < kInputLeaves; ++i) {
    if (leaf.starts_with(kInputTags[i])) return ParsedInputLeaf{static_cast<InputLeaf>(i), leaf.substr(kInputTags[i].size())};
  }
  return Status::InvalidArgument("the leaf does not start with an input tag (capture-input-v1\\0<kind>\\0)");
}

Result<RosterCommitment> ParseRosterCommitment(std::string_view content) {
  if (content.size() != 8 + sizeof(Sha256)) {
    return Status::InvalidArgument("the roster leaf holds " + std::to_string(content.size()) +
                                   " bytes after its tag, not 40 (record count and root)");
  }
  RosterCommitment out;
  out.records = GetBig64(content);
  std::copy(content.begin() + 8, content.end(), out.root.begin());
  return out;
}

std::optional<std::string_view> NextCsvRecord(std::string_view csv, size_t* pos) {
  // A quote toggles; a doubled quote inside quotes toggles twice, so the state at a line feed is
  // the CSV grammar's (common/csv.h). A roster the judge accepts has no quote in mid-field.
  const size_t start = *pos;
  if (start >= csv.size()) return std::nullopt;
  bool in_quotes = false;
  for (size_t i = start; i < csv.size(); ++i) {
    if (csv[i] == '"') {
      in_quotes = !in_quotes;
    } else if (csv[i] == '\n' && !in_quotes) {
      *pos = i + 1;
      return csv.substr(start, i + 1 - start);
    }
  }
  *pos = csv.size();
  return csv.substr(start);
}

Sha256 RosterRecordHash(std::string_view record) {
  EnsureSodium();
  constexpr unsigned char kLeafPrefix = 0x00;
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, &kLeafPrefix, 1);
  Update(state, kRosterRecordTag);
  Update(state, record);
  Sha256 out;
  crypto_hash_sha256_final(&state, out.data());
  return out;
}

Sha256 ItemLeafHash(std::string_view item_bytes, std::string_view verdict_bytes) {
  // LeafHash of ItemLeafBytes, without building those bytes: the prefix 0x00 of RFC 6962 first.
  EnsureSodium();
  constexpr unsigned char kLeafPrefix = 0x00;
  unsigned char length[8];
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, &kLeafPrefix, 1);
  Update(state, kItemTag);
  PutBig64(length, item_bytes.size());
  crypto_hash_sha256_update(&state, length, sizeof length);
  Update(state, item_bytes);
  PutBig64(length, verdict_bytes.size());
  crypto_hash_sha256_update(&state, length, sizeof length);
  Update(state, verdict_bytes);
  Sha256 out;
  crypto_hash_sha256_final(&state, out.data());
  return out;
}

std::string ItemLeafBytes(std::string_view item_bytes, std::string_view verdict_bytes) {
  std::string out(kItemTag);
  AppendBig64(out, item_bytes.size());
  out += item_bytes;
  AppendBig64(out, verdict_bytes.size());
  out += verdict_bytes;
  return out;
}

Result<ParsedItemLeaf> ParseItemLeaf(std::string_view leaf) {
  if (!leaf.starts_with(kItemTag)) {
    return Status::InvalidArgument("the leaf does not start with the item tag (capture-item-v1\\0)");
  }
  std::string_view rest = leaf.substr(kItemTag.size());
  std::string_view parts[2];
  for (std::string_view& part : parts) {
    if (rest.size() < 8) return Status::InvalidArgument("the item leaf ends inside a length");
    const uint64_t length = GetBig64(rest);
    rest.remove_prefix(8);
    if (length > rest.size()) {
      return Status::InvalidArgument("the item leaf announces " + std::to_string(length) + " bytes where " +
                                     std::to_string(rest.size()) + " are left");
    }
    part = rest.substr(0, length);
    rest.remove_prefix(length);
  }
  if (!rest.empty()) {
    return Status::InvalidArgument("the item leaf has " + std::to_string(rest.size()) + " bytes after its verdict");
  }
  return ParsedItemLeaf{parts[0], parts[1]};
}

}  // namespace capture::coord
