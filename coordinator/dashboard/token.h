// The registrar token: what a request must carry (`Authorization: Bearer <token>`) to change the
// record through the dashboard's HTTP API.
//
// File: <store>/registrar.token, 64 lowercase hex digits (32 random bytes from libsodium) and a
// newline, mode 0600. Made at the store's first start and never overwritten: it is created under a
// temporary name, synced, then linked into place, which fails if a token is there already.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace capture::dashboard {

inline constexpr const char* kTokenFileName = "registrar.token";

// The token in `path`, made first when there is none. A token file others may read is made 0600
// again (with a warning in the log: whoever read it could still use it; delete the file and restart
// for a new token). Corruption when the file does not hold a token; IoError when it cannot be
// read or made.
Result<std::string> LoadOrCreateToken(const std::string& path);

// Whether an Authorization header value is "Bearer <token>", compared in constant time
// (sodium_memcmp) so the comparison's duration tells nothing of the token.
bool Authorizes(std::string_view authorization_header, const std::string& token);

}  // namespace capture::dashboard
