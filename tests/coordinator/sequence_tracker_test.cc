#include "coordinator/sequence_tracker.h"

#include <gtest/gtest.h>

#include <map>

namespace capture::coord {
namespace {

using std::chrono::milliseconds;

// The store as the tracker sees it: the events applied so far.
class FakeStore : public StoredEventLookup {
 public:
  Result<std::string> StoredBytes(const StreamId& stream, uint64_t seq) const override {
    if (fail) return Status::IoError("disk gone");
    auto it = events.find({stream, seq});
    if (it == events.end()) return Status::NotFound("not stored");
    return it->second;
  }
  std::map<std::pair<StreamId, uint64_t>, std::string> events;
  bool fail = false;
};

const StreamId kStream{1, 0xabcdef};
const SteadyTime kT0 = SteadyTime{} + std::chrono::hours(1);

class SequenceTrackerTest : public ::testing::Test {
 protected:
  explicit SequenceTrackerTest(SequenceTracker::Options options = {}) : tracker_(&store_, options) {}

  // Offers an event and, as the coordinator does, stores whatever was applied.
  OfferResult Offer(uint64_t seq, const std::string& bytes, const StreamId& stream = kStream) {
    auto result = tracker_.Offer(stream, seq, std::string(bytes));
    EXPECT_TRUE(result.ok()) << result.status().message();
    for (const auto& e : result->applied) store_.events[{stream, e.seq}] = e.bytes;
    return *result;
  }
  static std::vector<uint64_t> Seqs(const OfferResult& r) {
    std::vector<uint64_t> out;
    for (const auto& e : r.applied) out.push_back(e.seq);
    return out;
  }
  void OfferRange(uint64_t first, uint64_t last) {
    for (uint64_t s = first; s <= last; ++s) Offer(s, "e" + std::to_string(s));
  }

  FakeStore store_;
  SequenceTracker tracker_;
};

TEST_F(SequenceTrackerTest, AppliesEventsThatArriveInOrder) {
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    OfferResult r = Offer(seq, "e" + std::to_string(seq));
    EXPECT_EQ(r.outcome, OfferOutcome::kApplied);
    EXPECT_EQ(Seqs(r), std::vector<uint64_t>{seq});
    EXPECT_EQ(r.applied[0].bytes, "e" + std::to_string(seq));
  }
  EXPECT_EQ(tracker_.stored(kStream), 3u);
  EXPECT_FALSE(tracker_.NextResend(kStream, kT0));
}

TEST_F(SequenceTrackerTest, IgnoresTheSameBytesAgainAsADuplicate) {
  Offer(1, "first");
  OfferResult r = Offer(1, "first");
  EXPECT_EQ(r.outcome, OfferOutcome::kDuplicate);
  EXPECT_TRUE(r.applied.empty());
  EXPECT_EQ(tracker_.stored(kStream), 1u);
}

TEST_F(SequenceTrackerTest, ReportsOtherBytesUnderAStoredSeqAsAConflict) {
  Offer(1, "first");
  Offer(2, "second");
  OfferResult r = Offer(1, "forged");
  EXPECT_EQ(r.outcome, OfferOutcome::kConflict);
  EXPECT_TRUE(r.applied.empty());
  EXPECT_EQ(tracker_.stored(kStream), 2u);
  EXPECT_EQ(store_.events.at({kStream, 1}), "first");
}

TEST_F(SequenceTrackerTest, ReportsOtherBytesUnderABufferedSeqAsAConflictAndKeepsTheFirst) {
  Offer(1, "e1");
  EXPECT_EQ(Offer(3, "e3").outcome, OfferOutcome::kBuffered);
  EXPECT_EQ(Offer(3, "forged").outcome, OfferOutcome::kConflict);
  EXPECT_EQ(Offer(3, "e3").outcome, OfferOutcome::kDuplicate);
  OfferResult r = Offer(2, "e2");
  ASSERT_EQ(Seqs(r), (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(r.applied[1].bytes, "e3");
}

TEST_F(SequenceTrackerTest, BuffersAfterAGapAndAsksForTheMissingRange) {
  Offer(1, "e1");
  EXPECT_EQ(Offer(4, "e4").outcome, OfferOutcome::kBuffered);
  EXPECT_EQ(Offer(5, "e5").outcome, OfferOutcome::kBuffered);
  EXPECT_EQ(tracker_.stored(kStream), 1u);
  EXPECT_EQ(tracker_.NextResend(kStream, kT0), (SeqRange{2, 3}));

  EXPECT_EQ(Seqs(Offer(2, "e2")), std::vector<uint64_t>{2});
  OfferResult r = Offer(3, "e3");
  EXPECT_EQ(r.outcome, OfferOutcome::kApplied);
  EXPECT_EQ(Seqs(r), (std::vector<uint64_t>{3, 4, 5}));
  EXPECT_EQ(tracker_.stored(kStream), 5u);
  EXPECT_FALSE(tracker_.NextResend(kStream, kT0 + milliseconds(1)));
}

TEST_F(SequenceTrackerTest, AsksUpToTheAnnouncedSeqInSpansOfAtMostTenThousand) {
  tracker_.Announce(kStream, 25'000);
  EXPECT_EQ(tracker_.NextResend(kStream, kT0), (SeqRange{1, 10'000}));
  OfferRange(1, 10'000);
  // The request is satisfied: the next one goes at once, without waiting for the pacing interval.
  EXPECT_EQ(tracker_.NextResend(kStream, kT0 + milliseconds(1)), (SeqRange{10'001, 20'000}));
}

TEST_F(SequenceTrackerTest, DoesNotRepeatARequestWithinThePacingInterval) {
  Offer(1, "e1");
  Offer(3, "e3");
  EXPECT_EQ(tracker_.NextResend(kStream, kT0), (SeqRange{2, 2}));
  EXPECT_FALSE(tracker_.NextResend(kStream, kT0 + milliseconds(100)));
  EXPECT_FALSE(tracker_.NextResend(kStream, kT0 + milliseconds(299)));
  EXPECT_EQ(tracker_.NextResend(kStream, kT0 + milliseconds(300)), (SeqRange{2, 2}));
  EXPECT_FALSE(tracker_.NextResend(kStream, kT0 + milliseconds(400)));
}

TEST_F(SequenceTrackerTest, ProgressOnARequestPostponesRepeatingIt) {
  tracker_.Announce(kStream, 50);
  EXPECT_EQ(tracker_.NextResend(kStream, kT0), (SeqRange{1, 50}));
  OfferRange(1, 10);
  EXPECT_FALSE(tracker_.NextResend(kStream, kT0 + milliseconds(250)));
  EXPECT_FALSE(tracker_.NextResend(kStream, kT0 + milliseconds(500)));  // 250 ms since the progress
  EXPECT_EQ(tracker_.NextResend(kStream, kT0 + milliseconds(550)), (SeqRange{11, 50}));
}

TEST_F(SequenceTrackerTest, AsksAtOnceAfterTheAgentSaysHelloAgain) {
  tracker_.Announce(kStream, 5);
  EXPECT_EQ(tracker_.NextResend(kStream, kT0), (SeqRange{1, 5}));
  tracker_.ForgetResendRequest(kStream);
  EXPECT_EQ(tracker_.NextResend(kStream, kT0 + milliseconds(1)), (SeqRange{1, 5}));
}

TEST_F(SequenceTrackerTest, AnEventAnnouncesItsOwnSeq) {
  Offer(7, "e7");
  EXPECT_EQ(tracker_.NextResend(kStream, kT0), (SeqRange{1, 6}));
  ASSERT_EQ(tracker_.Streams().size(), 1u);
  EXPECT_EQ(tracker_.Streams()[0].announced, 7u);
  EXPECT_EQ(tracker_.Streams()[0].buffered, 1u);
}

TEST_F(SequenceTrackerTest, KeepsStreamsOfTheSameStationApart) {
  const StreamId other{kStream.station, kStream.epoch + 1};
  Offer(1, "a1");
  EXPECT_EQ(Offer(1, "b1", other).outcome, OfferOutcome::kApplied);
  EXPECT_EQ(Offer(2, "b2", other).outcome, OfferOutcome::kApplied);
  EXPECT_EQ(tracker_.stored(kStream), 1u);
  EXPECT_EQ(tracker_.stored(other), 2u);
  EXPECT_EQ(tracker_.Streams().size(), 2u);
}

TEST_F(SequenceTrackerTest, ContinuesAfterTheRestoredSeq) {
  tracker_.Restore(kStream, 5);
  store_.events[{kStream, 3}] = "e3";
  EXPECT_EQ(Offer(3, "e3").outcome, OfferOutcome::kDuplicate);
  EXPECT_EQ(Offer(6, "e6").outcome, OfferOutcome::kApplied);
  EXPECT_FALSE(tracker_.NextResend(kStream, kT0));
}

TEST_F(SequenceTrackerTest, FailsWhenTheStoredEventCannotBeRead) {
  Offer(1, "e1");
  store_.fail = true;
  auto r = tracker_.Offer(kStream, 1, "e1");
  EXPECT_FALSE(r.ok());
}

class SmallBufferTest : public SequenceTrackerTest {
 protected:
  SmallBufferTest() : SequenceTrackerTest(SequenceTracker::Options{3, 10'000, milliseconds(300)}) {}
};

TEST_F(SmallBufferTest, DropsEventsBeyondTheBufferCapAndAsksForThemAgain) {
  for (uint64_t seq : {2, 3, 4}) EXPECT_EQ(Offer(seq, "e" + std::to_string(seq)).outcome, OfferOutcome::kBuffered);
  EXPECT_EQ(Offer(5, "e5").outcome, OfferOutcome::kDropped);
  EXPECT_EQ(tracker_.NextResend(kStream, kT0), (SeqRange{1, 1}));
  EXPECT_EQ(Seqs(Offer(1, "e1")), (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(tracker_.NextResend(kStream, kT0 + milliseconds(1)), (SeqRange{5, 5}));
  EXPECT_EQ(Offer(5, "e5").outcome, OfferOutcome::kApplied);
}

class ByteCappedBufferTest : public SequenceTrackerTest {
 protected:
  ByteCappedBufferTest() : SequenceTrackerTest(SequenceTracker::Options{100, 10'000, milliseconds(300), 10}) {}
};

TEST_F(ByteCappedBufferTest, DropsEarlyEventsBeyondTheStreamsByteCapAndFreesItAsTheGapFills) {
  EXPECT_EQ(Offer(2, "0123").outcome, OfferOutcome::kBuffered);
  EXPECT_EQ(Offer(3, "456789").outcome, OfferOutcome::kBuffered);  // 10 bytes held: the cap
  EXPECT_EQ(Offer(4, "x").outcome, OfferOutcome::kDropped);
  EXPECT_EQ(Offer(1, "e1").outcome, OfferOutcome::kApplied);        // releases 2 and 3
  EXPECT_EQ(Offer(5, "0123456789").outcome, OfferOutcome::kBuffered);
}

}  // namespace
}  // namespace capture::coord
