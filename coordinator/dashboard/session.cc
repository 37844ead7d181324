#include "coordinator/dashboard/session.h"

#include <sodium.h>

#include "common/sha256.h"

namespace capture::dashboard {

namespace {

constexpr size_t kIdBytes = 16;
constexpr size_t kIdDigits = 2 * kIdBytes;
constexpr size_t kMacDigits = 2 * crypto_auth_BYTES;

std::string Mac(const unsigned char* key, std::string_view id) {
  unsigned char mac[crypto_auth_BYTES];
  crypto_auth(mac, reinterpret_cast<const unsigned char*>(id.data()), id.size(), key);
  return ToHex(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

std::string_view Trimmed(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace

static_assert(crypto_auth_KEYBYTES == 32, "Sessions::kKeyBytes is crypto_auth's key size");

Sessions::Sessions() {
  EnsureSodium();
  crypto_auth_keygen(key_);
}

Sessions::~Sessions() { sodium_memzero(key_, sizeof key_); }

std::string Sessions::Issue() const {
  unsigned char raw[kIdBytes];
  randombytes_buf(raw, sizeof raw);
  const std::string id = ToHex(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
  return id + Mac(key_, id);
}

bool Sessions::Valid(std::string_view value) const {
  if (value.size() != kIdDigits + kMacDigits) return false;
  return SecretsEqual(value.substr(kIdDigits), Mac(key_, value.substr(0, kIdDigits)));
}

bool Sessions::InCookieHeader(std::string_view cookie_header) const {
  const std::string prefix = std::string(kSessionCookie) + "=";
  // Every cookie of that name counts: a browser may hold another (an older session, another path).
  while (!cookie_header.empty()) {
    const size_t end = cookie_header.find(';');
    const std::string_view cookie = Trimmed(cookie_header.substr(0, end));
    if (cookie.substr(0, prefix.size()) == prefix && Valid(cookie.substr(prefix.size()))) return true;
    if (end == std::string_view::npos) break;
    cookie_header.remove_prefix(end + 1);
  }
  return false;
}

std::string SessionCookie(const std::string& value) {
  return std::string(kSessionCookie) + "=" + value + "; HttpOnly; SameSite=Strict; Path=/";
}

}  // namespace capture::dashboard
