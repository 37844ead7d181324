// Writes the fuzz targets' binary seeds into DIR/<target>/: valid frames of each direction, valid
// events of each kind, a collection code minted under the fuzz site key, camera JPEGs with Exif
// (DateTimeOriginal and a preview) in both byte orders, and what is signed with the fuzz signing key:
// checkpoint lines and chain heads. tools/fuzz.sh runs it before each campaign, so the seeds follow
// proto/capture.proto and the signed layouts as they change, and no binary file is committed.
//
//   fuzz_write_seeds DIR
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "capture.pb.h"
#include "common/chain_head.h"
#include "common/checkpoint.h"
#include "common/collection_code.h"
#include "common/frame.h"
#include "common/fs.h"
#include "common/merkle.h"
#include "tests/fuzz/fuzz_support.h"

namespace capture::fuzz {
namespace {

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
  const bool ok = WriteSeeds(dir, "frame", Frames()) && WriteSeeds(dir, "event", Events()) &&
                  WriteSeeds(dir, "collection_code", {code}) && WriteSeeds(dir, "jpeg_info", jpegs) &&
                  WriteSeeds(dir, "exif_thumbnail", jpegs) && WriteSeeds(dir, "checkpoint", Checkpoints()) &&
                  WriteSeeds(dir, "chain_head", ChainHeads());
  return ok ? 0 : 1;
}
