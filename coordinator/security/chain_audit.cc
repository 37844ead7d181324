#include "coordinator/security/chain_audit.h"

#include <map>

#include "common/chain_head.h"
#include "common/sha256.h"

namespace capture::coord {

namespace {

// Whether one of the keys ever enrolled for the head's station signed it: a head made under a key
// that was withdrawn later still verifies with that key.
bool SignedByAnEnrolledKey(const wire::ChainHead& head, const Enrolment& enrolment) {
  for (const KeyChange& change : enrolment.history()) {
    if (change.station == head.station() && !change.revoked && VerifyChainHead(head, change.key).ok()) return true;
  }
  return false;
}

}  // namespace

Result<ChainAudit> AuditChains(const RecordStore& store, const Enrolment& enrolment) {
  ChainAudit audit;
  auto fail = [&audit](uint64_t commit_index, std::string why) {
    if (!audit.ok) return;
    audit.ok = false;
    audit.first_failure = commit_index;
    audit.failure = std::move(why);
  };
  std::map<StreamId, std::map<uint64_t, wire::ChainHead>> heads;
  Status read = store.ForEachStationHead([&](const wire::ChainHead& head) {
    ++audit.heads;
    const StreamId stream{head.station(), head.epoch()};
    if (!SignedByAnEnrolledKey(head, enrolment)) {
      fail(0, "the kept head of " + Describe(stream) + " seq " + std::to_string(head.seq()) +
                  " is not signed by a key enrolled for station " + std::to_string(head.station()));
    }
    heads[stream][head.seq()] = head;
    return true;
  });
  if (!read.ok()) return read;

  std::map<StreamId, std::pair<uint64_t, Sha256>> tips;  // per stream: last seq and its hash
  wire::CaptureEvent event;
  read = store.ForEachItem([&](const wire::RecordItem& item) {
    if (!item.has_event()) return true;
    if (!event.ParseFromString(item.event())) {
      fail(item.commit_index(), "the stored event does not parse");
      return true;
    }
    ++audit.events;
    const StreamId stream{event.station(), event.epoch()};
    const std::string where = Describe(stream) + " seq " + std::to_string(event.seq());
    auto& [last_seq, last_hash] = tips[stream];
    const std::string expected = event.seq() == 1 ? "" : AsBytes(last_hash);
    if (event.seq() != last_seq + 1) {
      fail(item.commit_index(), where + " follows seq " + std::to_string(last_seq) + " in the record");
    } else if (event.prev_sha256() != expected) {
      fail(item.commit_index(), where + " does not link to the event stored before it");
    }
    last_seq = event.seq();
    last_hash = ComputeSha256(item.event());
    const auto stream_heads = heads.find(stream);
    if (stream_heads == heads.end()) return true;
    const auto head = stream_heads->second.find(event.seq());
    if (head != stream_heads->second.end() && head->second.sha256() != AsBytes(last_hash)) {
      fail(item.commit_index(), where + " is not the event station " + std::to_string(stream.station) + " signed");
    }
    return true;
  });
  if (!read.ok()) return read;
  for (const auto& [stream, tip] : tips) {
    const auto stream_heads = heads.find(stream);
    const uint64_t covered = stream_heads == heads.end() ? 0 : stream_heads->second.rbegin()->first;
    if (covered > tip.first) {
      fail(0, "station " + std::to_string(stream.station) + " signed " + Describe(stream) + " seq " +
                  std::to_string(covered) + ", and the record ends at seq " + std::to_string(tip.first));
    }
    if (tip.first > covered) audit.uncovered += tip.first - covered;
  }
  return audit;
}

}  // namespace capture::coord
