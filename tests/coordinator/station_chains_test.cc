// The coordinator's live check of the stations' chains: links, signed heads, heads that wait for
// their seq, and which heads are kept beside the record.
#include <gtest/gtest.h>

#include "common/chain_head.h"
#include "coordinator/security/station_chains.h"
#include "tests/support/assert_ok.h"

namespace capture::coord {
namespace {

const StreamId kStream{1, 0xabc};

wire::CaptureEvent EventAt(uint64_t seq, const std::string& prev) {
  wire::CaptureEvent event;
  event.set_station(kStream.station);
  event.set_epoch(kStream.epoch);
  event.set_seq(seq);
  event.set_prev_sha256(prev);
  return event;
}

TEST(StationChains, AnEventLinksOnlyToTheBytesAppliedBeforeItAndTheFirstToNothing) {
  StationChains chains;
  EXPECT_TRUE(chains.Links(kStream, EventAt(1, "")));
  EXPECT_FALSE(chains.Links(kStream, EventAt(1, std::string(32, 'x'))));
  const std::string first = EventAt(1, "").SerializeAsString();
  chains.Advance(kStream, first);
  EXPECT_TRUE(chains.Links(kStream, EventAt(2, AsBytes(ComputeSha256(first)))));
  EXPECT_FALSE(chains.Links(kStream, EventAt(2, "")));
  EXPECT_FALSE(chains.Links(kStream, EventAt(2, AsBytes(ComputeSha256("other bytes")))));
}

TEST(StationChains, ARestoredStreamLinksToItsLastStoredEvent) {
  StationChains chains;
  const std::string last = EventAt(7, std::string(32, 'p')).SerializeAsString();
  chains.Restore(kStream, last);
  EXPECT_TRUE(chains.Links(kStream, EventAt(8, AsBytes(ComputeSha256(last)))));
  EXPECT_FALSE(chains.Links({2, kStream.epoch}, EventAt(8, AsBytes(ComputeSha256(last)))));
}

TEST(StationChains, AHeadMustBeOfItsStreamAndSignedByTheStationsKey) {
  const Identity station = Identity::Generate();
  const Identity other = Identity::Generate();
  const Sha256 hash = ComputeSha256("event");
  const wire::ChainHead head = SignChainHead(station, kStream.station, kStream.epoch, 3, hash, 1000);
  EXPECT_OK(StationChains::CheckSigned(head, kStream, station.public_key()));
  EXPECT_FALSE(StationChains::CheckSigned(head, kStream, other.public_key()).ok());
  const Status elsewhere = StationChains::CheckSigned(head, {kStream.station, kStream.epoch + 1}, station.public_key());
  EXPECT_FALSE(elsewhere.ok());
  EXPECT_NE(elsewhere.message().find("sent for"), std::string::npos) << elsewhere.message();
}

TEST(StationChains, AHeadAheadOfTheRecordWaitsForItsSeqAndOnlyTheNewestHeadIsKept) {
  const Identity station = Identity::Generate();
  const std::string bytes = "event five";
  StationChains chains;
  chains.Hold(SignChainHead(station, kStream.station, kStream.epoch, 5, ComputeSha256(bytes), 1000));
  EXPECT_FALSE(chains.TakeDue(kStream, 4));
  auto due = chains.TakeDue(kStream, 5);
  ASSERT_TRUE(due);
  EXPECT_EQ(due->seq(), 5u);
  EXPECT_FALSE(chains.TakeDue(kStream, 9)) << "taken once";

  EXPECT_EQ(chains.Compare(kStream, *due, bytes), StationChains::Compared::kKeep);
  EXPECT_EQ(chains.Compare(kStream, *due, bytes), StationChains::Compared::kHolds) << "kept already";
  const auto older = SignChainHead(station, kStream.station, kStream.epoch, 4, ComputeSha256("four"), 900);
  EXPECT_EQ(chains.Compare(kStream, older, "four"), StationChains::Compared::kHolds);
  EXPECT_EQ(chains.Compare(kStream, older, "not four"), StationChains::Compared::kContradicts);
}

}  // namespace
}  // namespace capture::coord
