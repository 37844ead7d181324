// Camera images from the station agents to the coordinator's image store: real agents, the real
// coordinator, and a test-played agent for what a real one never sends.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <variant>

#include "common/frame.h"
#include "common/fs.h"
#include "common/image_store.h"
#include "common/sha256.h"
#include "common/transport.h"
#include "coordinator/status_client.h"
#include "tests/coordinator/live_room.h"
#include "tests/support/assert_ok.h"
#include "tests/support/image_files.h"

namespace capture::coord {
namespace {

using namespace std::chrono_literals;
using testing::LiveRoom;

constexpr auto kWait = 20s;

using ::capture::testing::ImageFilesUnder;

std::string CameraFile(LiveRoom& room, int station, const std::string& name) {
  auto bytes = ReadFile(room.camera_dir(station) + "/" + name);
  return bytes.ok() ? *bytes : "";
}

uint64_t Counter(LiveRoom& room, const std::string& name) {
  auto counter = QueryCounter(room.registrar(), name, 2000);
  EXPECT_TRUE(counter.ok()) << counter.status().message();
  return counter.ok() ? *counter : ~0ull;
}

// One student photographed at station 1 with `shots` images of at least `min_bytes`.
void Photograph(LiveRoom& room, int student, int shots, size_t min_bytes = 0) {
  ASSERT_OK(room.Scan(1, room.student(1, student)));
  for (int i = 0; i < shots; ++i) {
    auto file = room.DropShot(1, min_bytes);
    ASSERT_OK(file.status());
    ASSERT_OK(room.AwaitLine(1, {"kind=SHOT_TAKEN", "file=" + *file}, kWait).status());
  }
}

// A peer of the coordinator's image socket played by the test, with routing id `id`.
Result<zmq::socket_t> ImagePeer(zmq::context_t& context, const ClientSecurity& station, const std::string& endpoint) {
  auto dealer = OpenSocket(context, zmq::socket_type::dealer);
  if (!dealer.ok()) return dealer.status();
  if (Status s = Secure(*dealer, station); !s.ok()) return s;
  if (Status s = Connect(*dealer, endpoint); !s.ok()) return s;
  return std::move(*dealer);
}

// An ImageOffer of one image of `station`: its hash and size as given.
wire::Frame OfferOf(uint32_t station, const std::string& sha256, uint64_t size) {
  wire::Frame offer;
  offer.mutable_image_offer()->set_station(station);
  wire::ImageRef* ref = offer.mutable_image_offer()->add_images();
  ref->set_sha256(sha256);
  ref->set_size_bytes(size);
  ref->set_seq(1);
  return offer;
}

TEST(ImageShipping, EveryShotsImageReachesTheCoordinatorByteForByte) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1));
  Photograph(room, 0, 1);
  Photograph(room, 1, 2, 3 << 20);  // 3 MiB: dozens of chunks
  ASSERT_OK(room.WaitForCounter("images_stored", 3, kWait));

  const auto at_station = ImageFilesUnder(room.journal_dir(1));
  const auto at_coordinator = ImageFilesUnder(room.store());
  ASSERT_EQ(at_station.size(), 3u);
  EXPECT_EQ(at_coordinator, at_station);
  for (const auto& [path, bytes] : at_coordinator) {
    EXPECT_NE(path.find(ToHex(ComputeSha256(bytes))), std::string::npos) << path << " is not named by its hash";
  }
  EXPECT_FALSE(std::filesystem::exists(room.store() + "/images/incoming") &&
               !std::filesystem::is_empty(room.store() + "/images/incoming"));
}

TEST(ImageShipping, ImagesTakenWhileTheCoordinatorWasDownArriveWhenItIsBack) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1));
  Photograph(room, 0, 1);
  ASSERT_OK(room.WaitForCounter("images_stored", 1, kWait));
  ASSERT_OK(room.StopCoordinator());

  Photograph(room, 1, 2, 1 << 20);
  ASSERT_OK(room.StartCoordinator());  // its image socket has a new port: the agent learns it
  ASSERT_OK(room.WaitForCounter("images_stored", 2, kWait));
  EXPECT_EQ(ImageFilesUnder(room.store()), ImageFilesUnder(room.journal_dir(1)));
  EXPECT_EQ(ImageFilesUnder(room.store()).size(), 3u);
}

// One shot of `min_bytes` taken while the coordinator is down, which finds `incoming(image)` in
// the image's incoming file when it starts again; returns the image.
std::string ShotMeetingAnIncomingFile(LiveRoom& room, size_t min_bytes,
                                      const std::function<std::string(const std::string&)>& incoming) {
  std::string image;
  [&] {
    ASSERT_OK(room.StartCoordinator());
    ASSERT_OK(room.StartAgent(1));
    ASSERT_OK(room.StopCoordinator());
    Photograph(room, 0, 1, min_bytes);
    image = CameraFile(room, 1, "IMG_0001.JPG");
    ASSERT_GT(image.size(), min_bytes);
    const std::string path = ImageStore(room.store()).IncomingPathFor(ComputeSha256(image));
    ASSERT_OK(MakeDirs(std::filesystem::path(path).parent_path().string()));
    ASSERT_OK(WriteFileDurably(path, incoming(image)));
    ASSERT_OK(room.StartCoordinator());
  }();
  return image;
}

// The coordinator stopped with half an image in its incoming file: the rest is all it asks for.
TEST(ImageShipping, AnInterruptedTransferResumesFromItsIncomingFile) {
  LiveRoom room;
  const std::string image =
      ShotMeetingAnIncomingFile(room, 2 << 20, [](const std::string& bytes) { return bytes.substr(0, bytes.size() / 2); });
  ASSERT_FALSE(HasFatalFailure());
  const size_t half = image.size() / 2;
  const Sha256 sha = ComputeSha256(image);
  const ImageStore store(room.store());
  ASSERT_OK(room.WaitForCounter("images_stored", 1, kWait));
  EXPECT_EQ(Counter(room, "image_bytes_received"), image.size() - half);
  auto filed = store.ReadChecked(sha);
  ASSERT_OK(filed.status());
  EXPECT_EQ(*filed, image);
  EXPECT_FALSE(std::filesystem::exists(store.IncomingPathFor(sha)));
}

// Bytes in the incoming file that are not the image's (a disk that lost them, a bad sender) are
// caught by the hash when the file is complete, and the image is fetched again.
TEST(ImageShipping, AnImageWhoseBytesDoNotHashToItsNameIsFetchedAgain) {
  LiveRoom room;
  const std::string image =
      ShotMeetingAnIncomingFile(room, 1 << 20, [](const std::string& bytes) { return std::string(bytes.size() - 10, 'x'); });
  ASSERT_FALSE(HasFatalFailure());
  const Sha256 sha = ComputeSha256(image);
  const ImageStore store(room.store());
  ASSERT_OK(room.WaitForCounter("images_stored", 1, kWait));
  EXPECT_EQ(Counter(room, "image_hash_mismatches"), 1u);
  EXPECT_EQ(Counter(room, "image_bytes_received"), 10u + image.size());
  auto filed = store.ReadChecked(sha);
  ASSERT_OK(filed.status());
  EXPECT_EQ(*filed, image);
}

// An incoming file no agent resumed for a day is removed at start; a recent one is kept for its
// transfer to resume.
TEST(ImageShipping, IncomingFilesUntouchedForADayAreRemovedAtStart) {
  LiveRoom room;
  const ImageStore store(room.store());
  const std::string old_file = store.IncomingPathFor(ComputeSha256("old"));
  const std::string recent_file = store.IncomingPathFor(ComputeSha256("recent"));
  ASSERT_OK(MakeDirs(store.IncomingDir()));
  ASSERT_OK(WriteFileDurably(old_file, "abandoned bytes"));
  ASSERT_OK(WriteFileDurably(recent_file, "bytes a transfer may resume"));
  std::filesystem::last_write_time(old_file, std::filesystem::file_time_type::clock::now() - std::chrono::hours(25));
  ASSERT_OK(room.StartCoordinator());
  EXPECT_FALSE(std::filesystem::exists(old_file));
  EXPECT_TRUE(std::filesystem::exists(recent_file));
}

// A peer that offers an image and then never sends it (a rogue, or a replaced laptop's old agent
// offering the same bytes) blocks neither that image nor the station's next ones.
TEST(ImageShipping, APeerThatOffersAnImageAndFallsSilentBlocksNoStation) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1));
  ASSERT_OK(room.StopCoordinator());
  Photograph(room, 0, 1);
  const std::string image = CameraFile(room, 1, "IMG_0001.JPG");
  ASSERT_OK(room.StartCoordinator());

  zmq::context_t context;
  auto silent = ImagePeer(context, room.StationSecurity(2), room.images());
  ASSERT_OK(silent.status());
  ASSERT_TRUE(TrySend(*silent, EncodeFrame(OfferOf(2, AsBytes(ComputeSha256(image)), image.size()))));
  // The silent peer is first: the agent offers only after it notices the restart.
  ASSERT_OK(room.WaitForCounter("images_waiting", 1, kWait));
  ASSERT_EQ(Counter(room, "images_waiting"), 1u);

  Photograph(room, 1, 1);
  ASSERT_OK(room.WaitForCounter("images_stored", 2, kWait));
  EXPECT_EQ(ImageFilesUnder(room.store()), ImageFilesUnder(room.journal_dir(1)));
}

// A sender whose bytes never match the hash it offered: refused after three tries, nothing filed.
TEST(ImageShipping, ASenderThatNeverSendsTheOfferedBytesIsRefusedAndNothingIsFiled) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  zmq::context_t context;
  auto dealer = ImagePeer(context, room.StationSecurity(1), room.images());
  ASSERT_OK(dealer.status());

  const std::string offered = "the bytes the hash is of";
  const Sha256 sha = ComputeSha256(offered);
  wire::Frame offer = OfferOf(1, AsBytes(sha), offered.size());
  wire::ImageRef* short_hash = offer.mutable_image_offer()->add_images();
  short_hash->set_sha256("31 bytes are not a SHA-256 ...");
  short_hash->set_size_bytes(10);
  ASSERT_TRUE(TrySend(*dealer, EncodeFrame(std::move(offer))));

  std::vector<std::string> refused;
  int requests = 0;
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (refused.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::vector<zmq::pollitem_t> items = {{dealer->handle(), 0, ZMQ_POLLIN, 0}};
    ASSERT_OK(Poll(items, 100ms).status());
    while (auto message = TryRecv(*dealer, false)) {
      auto decoded = DecodeFrame(message->bytes);
      ASSERT_TRUE(std::holds_alternative<wire::Frame>(decoded));
      const wire::Frame& frame = std::get<wire::Frame>(decoded);
      if (frame.has_image_receipt()) {
        EXPECT_TRUE(frame.image_receipt().stored().empty());
        for (const std::string& r : frame.image_receipt().refused()) refused.push_back(r);
      } else if (frame.has_image_chunk_request()) {
        ++requests;
        wire::Frame chunk;
        chunk.mutable_image_chunk()->set_sha256(frame.image_chunk_request().sha256());
        chunk.mutable_image_chunk()->set_offset(frame.image_chunk_request().offset());
        chunk.mutable_image_chunk()->set_data(std::string(offered.size(), '?'));
        ASSERT_TRUE(TrySend(*dealer, EncodeFrame(std::move(chunk))));
      }
    }
  }
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_EQ(refused[1], AsBytes(sha));
  EXPECT_EQ(requests, 3);
  EXPECT_EQ(Counter(room, "image_hash_mismatches"), 3u);
  EXPECT_EQ(Counter(room, "images_refused"), 2u);
  EXPECT_EQ(Counter(room, "images_stored"), 0u);
  EXPECT_TRUE(ImageFilesUnder(room.store()).empty());
}

}  // namespace
}  // namespace capture::coord
