#include "common/chain_head.h"

namespace capture {

namespace {

void PutBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((value >> (8 * i)) & 0xff);
}

}  // namespace

std::string ChainHeadSignedBytes(uint32_t station, uint64_t epoch, uint64_t seq, const Sha256& sha256,
                                 int64_t station_time_us) {
  std::string out = "capture-chain-v1\n";
  PutBigEndian(out, station, 4);
  PutBigEndian(out, epoch, 8);
  PutBigEndian(out, seq, 8);
  out += AsBytes(sha256);
  PutBigEndian(out, static_cast<uint64_t>(station_time_us), 8);
  return out;
}

wire::ChainHead SignChainHead(const Identity& station_key, uint32_t station, uint64_t epoch, uint64_t seq,
                              const Sha256& sha256, int64_t station_time_us) {
  wire::ChainHead head;
  head.set_station(station);
  head.set_epoch(epoch);
  head.set_seq(seq);
  head.set_sha256(AsBytes(sha256));
  head.set_station_time_us(station_time_us);
  const Signature sig = station_key.Sign(ChainHeadSignedBytes(station, epoch, seq, sha256, station_time_us));
  head.set_signature(std::string(reinterpret_cast<const char*>(sig.data()), sig.size()));
  return head;
}

Status VerifyChainHead(const wire::ChainHead& head, const PublicKey& key) {
  const std::optional<Sha256> sha = Sha256FromBytes(head.sha256());
  if (!sha || head.signature().size() != sizeof(Signature) || head.seq() == 0) {
    return Status::InvalidArgument("a chain head needs a seq, a 32-byte hash and a 64-byte signature");
  }
  Signature sig{};
  std::copy(head.signature().begin(), head.signature().end(), sig.begin());
  if (!VerifySignature(key, ChainHeadSignedBytes(head.station(), head.epoch(), head.seq(), *sha, head.station_time_us()),
                       sig)) {
    return Status::InvalidArgument("the chain head of station " + std::to_string(head.station()) + " seq " +
                                   std::to_string(head.seq()) + " is not signed by key " + KeyHex(key));
  }
  return Status::Ok();
}

}  // namespace capture
