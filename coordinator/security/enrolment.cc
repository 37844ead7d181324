#include "coordinator/security/enrolment.h"

#include <algorithm>
#include <charconv>

#include "common/csv.h"

namespace capture::coord {

namespace {

constexpr char kHeader[] = "station,public_key";

std::optional<uint32_t> ParseStation(std::string_view text) {
  uint32_t station = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), station);
  if (ec != std::errc() || end != text.data() + text.size() || station == 0) return std::nullopt;
  return station;
}

Result<PublicKey> KeyOfObservation(const wire::Observation& o) {
  return PublicKeyFromBytes(o.public_key(), "the key a key change names");
}

}  // namespace

std::string StationUserId(uint32_t station, const PublicKey& key) {
  return "station/" + std::to_string(station) + "/" + KeyHex(key);
}

std::optional<uint32_t> StationOfUserId(std::string_view user_id) {
  constexpr std::string_view kPrefix = "station/";
  if (user_id.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  user_id.remove_prefix(kPrefix.size());
  return ParseStation(user_id.substr(0, user_id.find('/')));
}

Result<Enrolment> Enrolment::FromCsv(std::string_view csv, std::string_view source, const std::vector<int>& stations) {
  auto rows = ParseCsv(csv, source);
  if (!rows.ok()) return rows.status();
  if (rows->empty() || CsvLine((*rows)[0]) != std::string(kHeader) + "\n") {
    return Status::InvalidArgument(std::string(source) + ": expected header " + kHeader);
  }
  Enrolment enrolment;
  for (size_t i = 1; i < rows->size(); ++i) {
    const CsvRow& row = (*rows)[i];
    const std::string where = std::string(source) + " row " + std::to_string(i + 1);
    if (row.size() != 2) return Status::InvalidArgument(where + ": expected 2 fields, found " + std::to_string(row.size()));
    const std::optional<uint32_t> station = ParseStation(row[0]);
    if (!station) return Status::InvalidArgument(where + ": station \"" + row[0] + "\" is not a station number");
    if (std::find(stations.begin(), stations.end(), static_cast<int>(*station)) == stations.end()) {
      return Status::InvalidArgument(where + ": station " + row[0] + " is not in the schedule");
    }
    if (enrolment.admitted_.count(*station)) {
      return Status::InvalidArgument(where + ": station " + row[0] + " has a key already (one key per station)");
    }
    auto key = ParseKeyHex(row[1], where + ": the public key");
    if (!key.ok()) return key.status();
    if (!CurvePublicOf(*key).ok()) return Status::InvalidArgument(where + ": " + row[1] + " is not a valid Ed25519 key");
    if (Status s = enrolment.Enrol(*station, *key, 0, 0, "enrolment file"); !s.ok()) {
      return Status::InvalidArgument(where + ": " + s.message());
    }
  }
  return enrolment;
}

Status Enrolment::Enrol(uint32_t station, const PublicKey& key, uint64_t commit_index, int64_t time_us,
                        std::string by) {
  if (used_.count(key)) return Status::InvalidArgument("key " + KeyHex(key) + " was enrolled before");
  if (const auto old = admitted_.find(station); old != admitted_.end()) withdrawn_.insert(old->second);
  admitted_[station] = key;
  used_.insert(key);
  history_.push_back({station, key, false, commit_index, time_us, std::move(by)});
  return Status::Ok();
}

Status Enrolment::Check(const wire::Observation& o) const {
  if (o.station() == 0) return Status::InvalidArgument("a key change must name a station");
  if (o.kind() == wire::Observation::KEY_REVOKED) {
    if (!admitted_.count(o.station())) {
      return Status::InvalidArgument("station " + std::to_string(o.station()) + " has no admitted key to revoke");
    }
    return Status::Ok();
  }
  auto key = KeyOfObservation(o);
  if (!key.ok()) return key.status();
  if (!CurvePublicOf(*key).ok()) return Status::InvalidArgument(KeyHex(*key) + " is not a valid Ed25519 key");
  if (used_.count(*key)) {
    return Status::InvalidArgument("key " + KeyHex(*key) + " was enrolled before: a key is enrolled once");
  }
  return Status::Ok();
}

Status Enrolment::Apply(const wire::Observation& o, uint64_t commit_index, int64_t time_us) {
  if (o.kind() != wire::Observation::KEY_ENROLLED && o.kind() != wire::Observation::KEY_REVOKED) return Status::Ok();
  if (Status s = Check(o); !s.ok()) return s;
  if (o.kind() == wire::Observation::KEY_ENROLLED) {
    return Enrol(o.station(), *KeyOfObservation(o), commit_index, time_us, o.by());
  }
  const auto old = admitted_.find(o.station());
  withdrawn_.insert(old->second);
  history_.push_back({o.station(), old->second, true, commit_index, time_us, o.by()});
  admitted_.erase(old);
  return Status::Ok();
}

std::optional<PublicKey> Enrolment::KeyOf(uint32_t station) const {
  const auto it = admitted_.find(station);
  if (it == admitted_.end()) return std::nullopt;
  return it->second;
}

bool Enrolment::Admits(uint32_t station, const PublicKey& key) const {
  const auto it = admitted_.find(station);
  return it != admitted_.end() && it->second == key;
}

std::optional<uint32_t> Enrolment::StationOf(const PublicKey& key) const {
  for (const auto& [station, admitted] : admitted_) {
    if (admitted == key) return station;
  }
  return std::nullopt;
}

wire::Observation KeyObservation(uint32_t station, const std::optional<PublicKey>& key, const std::string& by) {
  wire::Observation o;
  o.set_kind(key ? wire::Observation::KEY_ENROLLED : wire::Observation::KEY_REVOKED);
  o.set_station(station);
  if (key) o.set_public_key(key->data(), key->size());
  o.set_by(by);
  return o;
}

wire::KeysReply KeysReplyOf(const Enrolment& enrolment) {
  wire::KeysReply reply;
  for (const KeyChange& change : enrolment.history()) {
    wire::KeyRecord* record = reply.add_keys();
    record->set_station(change.station);
    record->set_public_key(change.key.data(), change.key.size());
    record->set_revoked(change.revoked);
    record->set_commit_index(change.commit_index);
    record->set_time_us(change.time_us);
    record->set_by(change.by);
    record->set_admitted(enrolment.Admits(change.station, change.key));
  }
  return reply;
}

}  // namespace capture::coord
