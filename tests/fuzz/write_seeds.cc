// Writes the fuzz targets' binary seeds into DIR/<target>/: valid frames of each direction, valid
// events of each kind, a collection code minted under the fuzz site key, camera JPEGs with Exif
// (DateTimeOriginal and a preview) in both byte orders, and what is signed with the fuzz signing key:
// checkpoint lines, chain heads, and proof files of a small record made in memory; and that record's
// leaves and roster. tools/fuzz.sh runs it before each campaign, so the seeds follow proto/capture.proto and
// the signed and hashed layouts as they change, and no binary file is committed.
//
//   fuzz_write_seeds DIR
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capture.pb.h"
#include "common/chain_head.h"
#include "common/checkpoint.h"
#include "common/collection_code.h"
#include "common/frame.h"
#include "common/fs.h"
#include "common/merkle.h"
#include "common/schedule.h"
#include "coordinator/proof/record_leaves.h"
#include "coordinator/proof/record_proof.h"
#include "tests/fuzz/fuzz_support.h"

namespace capture::fuzz {
namespace {

using coord::InputLeaf;
using coord::kInputLeaves;
using coord::StoredJudgeInputs;

wire::CaptureEvent Event(wire::EventKind kind, uint64_t seq) {
  wire::CaptureEvent ev;
  ev.set_station(2);
  ev.set_epoch(0x9f3c0a1b2c3d4e5fULL);
  ev.set_seq(seq);
  ev.set_kind(kind);
  ev.set_station_time_us(1713745805000000);
  ev.set_operator_("station-2");
  switch (kind) {
    case wire::CODE_READ:
    case wire::MARK_RETAKE:
      ev.mutable_code()->set_registry_no("1042120210000123");
      ev.mutable_code()->set_masked_name("张*明");
      break;
    case wire::SHOT_TAKEN:
    case wire::MARK_VOID:
      ev.mutable_shot()->set_file_name("IMG_0412.JPG");
      ev.mutable_shot()->set_shot_number(412);
      ev.mutable_shot()->set_sha256(std::string(32, '\xab'));
      ev.mutable_shot()->set_size_bytes(2345);
      ev.mutable_shot()->set_capture_time_us(1713774605000000);
      break;
    case wire::MARK_ABSENT:
      ev.set_student_no("2021000123");
      break;
    case wire::MARK_RESOLVE:
      ev.set_anomaly_id("A12");
      ev.set_detail("retaken at once");
      break;
    default:
      ev.set_detail("collection code is truncated");
  }
  return ev;
}

std::vector<std::string> Events() {
  std::vector<std::string> out;
  uint64_t seq = 1;
  for (auto kind : {wire::CODE_READ, wire::CODE_UNREADABLE, wire::SHOT_TAKEN, wire::MARK_RETAKE, wire::MARK_VOID,
                    wire::MARK_ABSENT, wire::MARK_RESOLVE}) {
    out.push_back(Event(kind, seq++).SerializeAsString());
  }
  return out;
}

std::vector<std::string> Frames() {
  std::vector<std::string> out;
  out.push_back(EncodeEventFrame(Event(wire::SHOT_TAKEN, 7).SerializeAsString()));
  wire::Frame f;
  auto* hb = f.mutable_heartbeat();
  hb->set_station(1);
  hb->set_epoch(42);
  hb->set_last_seq(9);
  hb->set_station_time_us(1713745805000000);
  out.push_back(EncodeFrame(f));
  f.Clear();
  auto* hello = f.mutable_hello();
  hello->set_station(1);
  hello->set_epoch(42);
  hello->set_last_seq(9);
  hello->set_agent_version("1");
  out.push_back(EncodeFrame(f));
  f.Clear();
  auto* ack = f.mutable_ack();
  ack->set_station(1);
  ack->set_epoch(42);
  ack->set_stored_seq(9);
  ack->set_images_port(5703);
  out.push_back(EncodeFrame(f));
  f.Clear();
  auto* resend = f.mutable_resend();
  resend->set_station(1);
  resend->set_epoch(42);
  resend->set_first_seq(3);
  resend->set_last_seq(8);
  out.push_back(EncodeFrame(f));
  f.Clear();
  auto* status = f.mutable_status_reply();
  auto* station = status->add_stations();
  station->set_station(1);
  station->set_epoch(42);
  station->set_stored_seq(9);
  station->set_announced_seq(9);
  auto* counter = status->add_counters();
  counter->set_name("frames_rejected{reason=\"oversized\"}");
  counter->set_value(3);
  status->set_commit_index(120);
  out.push_back(EncodeFrame(f));
  f.Clear();
  auto* resolve = f.mutable_resolve_request();
  resolve->set_anomaly_id("A12");
  resolve->set_reason("retaken at once");
  resolve->set_by("registrar");
  out.push_back(EncodeFrame(f));
  f.Clear();
  auto* offer = f.mutable_image_offer();
  offer->set_station(1);
  offer->set_epoch(42);
  auto* image = offer->add_images();
  image->set_sha256(std::string(32, '\xab'));
  image->set_size_bytes(2345);
  image->set_seq(7);
  out.push_back(EncodeFrame(f));
  f.Clear();
  auto* chunk = f.mutable_image_chunk();
  chunk->set_sha256(std::string(32, '\xab'));
  chunk->set_offset(0);
  chunk->set_data("\xFF\xD8 image bytes");
  out.push_back(EncodeFrame(f));
  f.Clear();
  auto* receipt = f.mutable_image_receipt();
  receipt->add_stored(std::string(32, '\xab'));
  receipt->add_refused(std::string(32, '\xcd'));
  out.push_back(EncodeFrame(f));
  return out;
}

// A camera JPEG in miniature: SOI, APP1 Exif holding a TIFF in the given byte order (IFD0 with
// Orientation 6 and the Exif IFD pointer; the Exif IFD with DateTimeOriginal; IFD1 with a JPEG
// preview), a quantization table, a scan, EOI.
std::string ExifJpeg(bool big_endian) {
  auto u16 = [&](uint32_t v) {
    const char hi = static_cast<char>(v >> 8 & 0xFF), lo = static_cast<char>(v & 0xFF);
    return big_endian ? std::string{hi, lo} : std::string{lo, hi};
  };
  auto u32 = [&](uint32_t v) { return big_endian ? u16(v >> 16) + u16(v & 0xFFFF) : u16(v & 0xFFFF) + u16(v >> 16); };
  auto entry = [&](uint16_t tag, uint16_t type, uint32_t count, uint32_t value) {
    return u16(tag) + u16(type) + u32(count) + (type == 3 ? u16(value) + u16(0) : u32(value));
  };
  const std::string taken("2024:04:22 08:30:05\0", 20);
  const std::string preview("\xFF\xD8\xFF\xDB\x00\x03\x01\xFF\xD9", 9);
  constexpr uint32_t kIfd0 = 8, kExifIfd = kIfd0 + 2 + 2 * 12 + 4, kIfd1 = kExifIfd + 2 + 12 + 4;
  constexpr uint32_t kTaken = kIfd1 + 2 + 2 * 12 + 4, kPreview = kTaken + 20;
  std::string tiff = (big_endian ? "MM" : "II") + u16(42) + u32(kIfd0);
  tiff += u16(2) + entry(0x0112, 3, 1, 6) + entry(0x8769, 4, 1, kExifIfd) + u32(kIfd1);
  tiff += u16(1) + entry(0x9003, 2, 20, kTaken) + u32(0);
  tiff += u16(2) + entry(0x0201, 4, 1, kPreview) + entry(0x0202, 4, 1, static_cast<uint32_t>(preview.size())) + u32(0);
  tiff += taken + preview;
  const std::string app1 = std::string("Exif\0\0", 6) + tiff;
  std::string jpeg("\xFF\xD8\xFF\xE1", 4);
  jpeg += static_cast<char>((app1.size() + 2) >> 8);
  jpeg += static_cast<char>((app1.size() + 2) & 0xFF);
  jpeg += app1;
  jpeg += std::string("\xFF\xDB\x00\x04\x00\x01", 6);
  jpeg += std::string("\xFF\xDA\x00\x02scan\xFF\xD9", 10);
  return jpeg;
}

// ---- signed seeds ----

constexpr MicrosSinceEpoch kSignedAt = 1713774605123456;  // 2024-04-22T08:30:05.123456Z

std::vector<std::string> ChainHeads() {
  std::vector<std::string> out;
  const Sha256 sha = ComputeSha256("an event's bytes");
  for (uint64_t seq : {1, 412}) {
    wire::ChainHead head;
    head.set_station(2);
    head.set_epoch(0x9f3c0a1b2c3d4e5fULL);
    head.set_seq(seq);
    head.set_sha256(AsBytes(sha));
    head.set_station_time_us(kSignedAt);
    const std::string message = ChainHeadSignedBytes(head.station(), head.epoch(), seq, sha, head.station_time_us());
    std::string sig(crypto_sign_BYTES, '\0');
    crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                         reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                         FuzzSigningKey().secret_key.data());
    head.set_signature(sig);
    out.push_back(head.SerializeAsString());
  }
  return out;
}

// Checkpoint lines signed with the fuzz key (one with the largest size and a time before 1970, one
// with a newline), and one signed with another key.
std::vector<std::string> Checkpoints() {
  unsigned char seed[crypto_sign_SEEDBYTES] = {0x11};
  Ed25519SecretKey other{};
  Ed25519PublicKey other_public{};
  crypto_sign_seed_keypair(other_public.data(), other.data(), seed);
  const Ed25519SecretKey& key = FuzzSigningKey().secret_key;
  return {FormatCheckpoint(SignCheckpoint(7, ComputeSha256("a root"), kSignedAt, key)),
          FormatCheckpoint(SignCheckpoint(18446744073709551615ULL, ComputeSha256("another"), -1, key)) + "\n",
          FormatCheckpoint(SignCheckpoint(0, EmptyTreeRoot(), 0, key)),
          FormatCheckpoint(SignCheckpoint(7, ComputeSha256("a root"), kSignedAt, other))};
}

// ---- proof files and record leaves ----

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL
  return out;
}

nlohmann::json PathJson(const std::vector<Sha256>& path) {
  nlohmann::json out = nlohmann::json::array();
  for (const Sha256& hash : path) out.push_back(ToHex(hash));
  return out;
}

// A record in miniature, as the coordinator stores it: the judge's inputs (leaves 0 to 3) and items
// with their verdicts, each item's leaf index 3 + its commit index.
struct MiniRecord {
  StoredJudgeInputs inputs;
  std::vector<std::string> item_leaves;  // of commit index 1, 2, ...
  std::vector<std::vector<std::string>> roles;  // what each item is to the proof's student; none: not in it

  std::vector<std::string> Leaves() const {
    std::vector<std::string> out;
    for (const std::string& leaf : coord::InputLeaves(inputs)) out.push_back(leaf);
    out.insert(out.end(), item_leaves.begin(), item_leaves.end());
    return out;
  }
};

constexpr char kStudentNo[] = "2021000124";
constexpr char kRegistryNo[] = "1042120210000124";

// Station 1's day for student 2021000124 (another student's code read at station 2 among it): their
// code read, their shot, bound to them; with `retake`, a retake that supersedes that shot and the
// shot that replaces it.
MiniRecord Day(bool retake) {
  MiniRecord r;
  wire::JudgeConfig config;
  config.set_local_midnight_us(1713715200000000);
  config.set_utc_offset_minutes(480);
  r.inputs.config = config.SerializeAsString();
  r.inputs.schedule_csv = "station,college,class,headcount,start,end\n1,文学院,汉语言文学2101,32,08:30,09:30\n";
  r.inputs.roster_csv = std::string(kRosterHeader) +
                        "\n2021000123,1042120210000123,文学院,汉语言文学2101,张三明,张*明\n" +
                        "2021000124,1042120210000124,文学院,汉语言文学2101,李四,李*\n";
  uint64_t seqs[3] = {};  // by station
  auto add = [&](wire::CaptureEvent event, std::vector<wire::Binding> bindings, std::vector<std::string> roles) {
    const uint64_t ci = r.item_leaves.size() + 1;
    event.set_epoch(0x9f3c0a1b2c3d4e5fULL);
    event.set_seq(++seqs[event.station()]);
    event.set_station_time_us(kSignedAt - 1000000 * static_cast<int64_t>(10 - ci));
    wire::RecordItem item;
    item.set_commit_index(ci);
    item.set_received_time_us(event.station_time_us() + 2000);
    item.set_event(event.SerializeAsString());
    wire::Verdict verdict;
    verdict.set_commit_index(ci);
    for (const wire::Binding& b : bindings) *verdict.add_bindings() = b;
    r.item_leaves.push_back(coord::ItemLeafBytes(item.SerializeAsString(), verdict.SerializeAsString()));
    r.roles.push_back(std::move(roles));
  };
  auto code_read = [](uint32_t station, const std::string& registry_no) {
    wire::CaptureEvent ev;
    ev.set_station(station);
    ev.set_kind(wire::CODE_READ);
    ev.mutable_code()->set_registry_no(registry_no);
    ev.mutable_code()->set_masked_name("李*");
    return ev;
  };
  auto shot = [](uint32_t number, const std::string& sha) {
    wire::CaptureEvent ev;
    ev.set_station(1);
    ev.set_kind(wire::SHOT_TAKEN);
    ev.mutable_shot()->set_file_name("IMG_000" + std::to_string(number) + ".JPG");
    ev.mutable_shot()->set_shot_number(number);
    ev.mutable_shot()->set_sha256(sha);
    ev.mutable_shot()->set_size_bytes(2345);
    return ev;
  };
  auto binding = [](uint32_t number, const std::string& sha, wire::Binding::State state) {
    wire::Binding b;
    b.set_station(1);
    b.set_file_name("IMG_000" + std::to_string(number) + ".JPG");
    b.set_sha256(sha);
    b.set_shot_number(number);
    b.set_registry_no(kRegistryNo);
    b.set_state(state);
    return b;
  };
  const std::string first = AsBytes(ComputeSha256("IMG_0001.JPG")), second = AsBytes(ComputeSha256("IMG_0002.JPG"));
  add(code_read(2, "1042120210000123"), {}, {});
  add(code_read(1, kRegistryNo), {}, {"code_read"});
  add(shot(1, first), {binding(1, first, wire::Binding::ASSIGNED)},
      retake ? std::vector<std::string>{"binding"} : std::vector<std::string>{"shot", "binding"});
  if (retake) {
    wire::CaptureEvent mark;
    mark.set_station(1);
    mark.set_kind(wire::MARK_RETAKE);
    mark.mutable_code()->set_registry_no(kRegistryNo);
    add(mark, {binding(1, first, wire::Binding::SUPERSEDED)}, {"mark", "binding"});
    add(shot(2, second), {binding(2, second, wire::Binding::ASSIGNED)}, {"shot", "binding"});
  }
  return r;
}

// The checkpoint of the whole record, signed with the fuzz key.
std::string SignedLine(const MiniRecord& r) {
  MerkleFrontier tree;
  for (const std::string& leaf : r.Leaves()) tree.Append(LeafHash(leaf));
  return FormatCheckpoint(SignCheckpoint(tree.size(), tree.Root(), kSignedAt, FuzzSigningKey().secret_key));
}

// The proof file of the student's photo in `r` (docs/record-proofs.md, "Proof files"), as
// ProveStudent writes one, under the checkpoint of the whole record.
std::string ProofFile(const MiniRecord& r) {
  const std::vector<std::string> leaves = r.Leaves();
  std::vector<Sha256> hashes;
  for (const std::string& leaf : leaves) hashes.push_back(LeafHash(leaf));
  auto from = [](const std::vector<Sha256>& h) { return [&h](uint64_t i) -> Result<Sha256> { return h[i]; }; };

  std::vector<uint64_t> indices = {static_cast<uint64_t>(InputLeaf::kRoster)};
  for (size_t k = 0; k < r.roles.size(); ++k) {
    if (!r.roles[k].empty()) indices.push_back(coord::ItemLeafIndex(k + 1));
  }
  const auto paths = InclusionProofs(indices, leaves.size(), from(hashes));

  std::vector<std::string> records;
  std::vector<Sha256> record_hashes;
  for (size_t pos = 0; const auto record = coord::NextCsvRecord(r.inputs.roster_csv, &pos);) {
    records.emplace_back(*record);
    record_hashes.push_back(coord::RosterRecordHash(*record));
  }
  const uint64_t record_index = records.size() - 1;  // the student's row is the last
  const auto record_path = InclusionProofs({record_index}, records.size(), from(record_hashes));

  nlohmann::json out;
  out["format"] = "capture-photo-proof-v1";
  out["student_no"] = kStudentNo;
  const bool retake = r.item_leaves.size() > 3;
  out["binding"] = {{"registry_no", kRegistryNo},
                    {"station", 1},
                    {"shot", retake ? 2 : 1},
                    {"image_file", retake ? "IMG_0002.JPG" : "IMG_0001.JPG"},
                    {"image_sha256", ToHex(ComputeSha256(retake ? "IMG_0002.JPG" : "IMG_0001.JPG"))},
                    {"commit_index", r.item_leaves.size()}};
  out["checkpoint"] = SignedLine(r);
  out["tree_size"] = leaves.size();
  out["roster_record"] = {{"index", record_index},
                          {"records", records.size()},
                          {"bytes", Base64(records[record_index])},
                          {"path", PathJson((*record_path)[0])}};
  nlohmann::json& list = out["leaves"] = nlohmann::json::array();
  for (size_t i = 0; i < indices.size(); ++i) {
    nlohmann::json leaf = {{"index", indices[i]}};
    if (indices[i] >= kInputLeaves) leaf["commit_index"] = indices[i] - (kInputLeaves - 1);
    leaf["roles"] = i == 0 ? std::vector<std::string>{"roster"} : r.roles[indices[i] - kInputLeaves];
    leaf["bytes"] = Base64(leaves[indices[i]]);
    leaf["path"] = PathJson((*paths)[i]);
    list.push_back(std::move(leaf));
  }
  return out.dump(2) + "\n";
}

// The proofs, each checked as `capturectl check-proof` would: a seed that does not check would
// only test the first refusal.
std::optional<std::vector<std::string>> Proofs() {
  std::vector<std::string> out;
  for (bool retake : {false, true}) {
    out.push_back(ProofFile(Day(retake)));
    auto checked = coord::CheckStudentProof(out.back(), FuzzSigningKey().public_key, std::string(kStudentNo));
    if (!checked.ok()) {
      std::fprintf(stderr, "fuzz_write_seeds: the proof seed does not check: %s\n", checked.status().message().c_str());
      return std::nullopt;
    }
  }
  return out;
}

// The leaves of a record's tree (the retake's day), and the roster the roster's records are cut from.
std::vector<std::string> Leaves() {
  const MiniRecord r = Day(true);
  std::vector<std::string> out = r.Leaves();
  out.push_back(r.inputs.roster_csv);
  return out;
}

bool WriteSeeds(const std::string& dir, const std::string& target, const std::vector<std::string>& seeds) {
  const std::string folder = dir + "/" + target;
  if (Status s = MakeDirs(folder); !s.ok()) {
    std::fprintf(stderr, "fuzz_write_seeds: %s\n", s.message().c_str());
    return false;
  }
  for (size_t i = 0; i < seeds.size(); ++i) {
    std::ofstream out(folder + "/written-" + std::to_string(i + 1), std::ios::binary);
    out << seeds[i];
    if (!out.flush()) {
      std::fprintf(stderr, "fuzz_write_seeds: cannot write into %s\n", folder.c_str());
      return false;
    }
  }
  return true;
}

}  // namespace
}  // namespace capture::fuzz

int main(int argc, char** argv) {
  using namespace capture::fuzz;
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_write_seeds DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  const std::vector<std::string> jpegs = {ExifJpeg(false), ExifJpeg(true)};
  const std::string code = capture::MintDemoCode(FuzzSiteKey(), "1042120210000123", "张*明");
  const std::optional<std::vector<std::string>> proofs = Proofs();
  const bool ok = proofs && WriteSeeds(dir, "frame", Frames()) && WriteSeeds(dir, "event", Events()) &&
                  WriteSeeds(dir, "collection_code", {code}) && WriteSeeds(dir, "jpeg_info", jpegs) &&
                  WriteSeeds(dir, "exif_thumbnail", jpegs) && WriteSeeds(dir, "checkpoint", Checkpoints()) &&
                  WriteSeeds(dir, "chain_head", ChainHeads()) && WriteSeeds(dir, "proof_file", *proofs) &&
                  WriteSeeds(dir, "record_leaf", Leaves());
  return ok ? 0 : 1;
}
