// Sessions of the registrar's browser: what it shows instead of the registrar token once the token
// has been typed into the page (POST /api/session). A cookie goes with every request to the page's
// own origin, EventSource and <img> included, which cannot send an Authorization header.
//
// A session value is 32 hex digits chosen at random and the HMAC of them (crypto_auth,
// HMAC-SHA-512-256) in 64 hex digits, under a key drawn at random when the Sessions are made. Nothing
// is kept per session, so there is no number of sessions to bound; every session ends with the key,
// that is when the coordinator stops. The value is not the token and tells nothing of it.
//
// Thread safety: after construction every method is const and may be called from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace capture::dashboard {

inline constexpr const char* kSessionCookie = "capture_session";

class Sessions {
 public:
  Sessions();  // a new random key
  ~Sessions();  // wipes the key
  Sessions(const Sessions&) = delete;
  Sessions& operator=(const Sessions&) = delete;

  // A new session value: 96 lowercase hex digits.
  std::string Issue() const;
  // Whether `value` is one that Issue made with this key; compared in constant time.
  bool Valid(std::string_view value) const;
  // Whether a Cookie header ("a=1; capture_session=…") holds a session cookie with a valid value.
  bool InCookieHeader(std::string_view cookie_header) const;

 private:
  static constexpr size_t kKeyBytes = 32;  // crypto_auth_KEYBYTES
  unsigned char key_[kKeyBytes];
};

// The Set-Cookie header's value for a session: "capture_session=<value>; HttpOnly; SameSite=Strict;
// Path=/". HttpOnly: no script, an injected one included, can read it. SameSite=Strict: a request
// another site makes does not carry it. No Max-Age: the browser forgets it when it closes. No Secure:
// the dashboard serves plain HTTP, and a browser would not send a Secure cookie over it.
std::string SessionCookie(const std::string& value);

}  // namespace capture::dashboard
