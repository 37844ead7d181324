#include "coordinator/security/senders.h"

namespace capture::coord {

std::string DescribeSender(const Sender& sender) {
  switch (sender.role) {
    case Sender::Role::kAnyone: return "a plain-text peer";
    case Sender::Role::kRegistrar: return "the registrar";
    case Sender::Role::kStation: return "station " + std::to_string(sender.station);
    case Sender::Role::kWithdrawn: return "a withdrawn key of station " + std::to_string(sender.station);
    case Sender::Role::kUnknown: break;
  }
  return "an unknown identity";
}

Sender IdentifySender(const std::string& user_id, const Enrolment& enrolment) {
  Sender sender;
  if (user_id.empty()) return sender;  // plain text: the Gatekeeper names every CURVE connection
  if (user_id == kRegistrarUserId) {
    sender.role = Sender::Role::kRegistrar;
    return sender;
  }
  sender.role = Sender::Role::kUnknown;
  const std::optional<uint32_t> station = StationOfUserId(user_id);
  const size_t key_at = user_id.rfind('/');
  if (!station || key_at == std::string::npos) return sender;
  auto key = ParseKeyHex(std::string_view(user_id).substr(key_at + 1), "the connection's key");
  if (!key.ok()) return sender;
  sender.station = *station;
  sender.role = enrolment.Admits(*station, *key) ? Sender::Role::kStation : Sender::Role::kWithdrawn;
  return sender;
}

const Sender& SenderNames::Of(const std::string& user_id, const Enrolment& enrolment) {
  if (last_user_id_ && *last_user_id_ == user_id) return last_;
  last_user_id_ = user_id;
  last_ = IdentifySender(user_id, enrolment);
  return last_;
}

}  // namespace capture::coord
