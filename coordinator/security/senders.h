// Who sent a message: the role of its connection, from the User-Id that the Gatekeeper gave the
// connection (gatekeeper.h) and the enrolment as it is now. A connection's identity is its key,
// never a routing id or a station number that the peer names itself.
//
// Not thread-safe: the coordinator's loop owns one.
#pragma once

#include <cstdint>
#include <string>

#include "coordinator/security/enrolment.h"

namespace capture::coord {

struct Sender {
  enum class Role {
    kAnyone,     // plain text (--insecure): no identity, every request allowed
    kRegistrar,  // the registrar's key (capturectl, the dashboard)
    kStation,    // an enrolled station's admitted key: `station`
    kWithdrawn,  // a station key withdrawn since the connection was made
    kUnknown,    // a User-Id this coordinator never gives
  };
  Role role = Role::kAnyone;
  uint32_t station = 0;

  // May send what only the registrar may (exports, views, resolutions, enrolments).
  bool registrar() const { return role == Role::kAnyone || role == Role::kRegistrar; }
  // May send events, hellos and heartbeats of `of_station`.
  bool speaks_for(uint32_t of_station) const {
    return role == Role::kAnyone || (role == Role::kStation && station == of_station);
  }
};

// "registrar", "station 3", "a withdrawn key of station 3", …: for log lines.
std::string DescribeSender(const Sender& sender);

// The sender behind a connection's User-Id under `enrolment` now.
Sender IdentifySender(const std::string& user_id, const Enrolment& enrolment);

// IdentifySender for the loop: the last answer is kept, because one connection's messages come
// in runs, so most calls compare one string.
class SenderNames {
 public:
  const Sender& Of(const std::string& user_id, const Enrolment& enrolment);
  // The enrolment changed: no kept answer holds any more.
  void Forget() { last_user_id_.reset(); }

 private:
  std::optional<std::string> last_user_id_;
  Sender last_;
};

}  // namespace capture::coord
