// The dashboard's request handling that is ours (coordinator/dashboard/server.cc routes through
// cpp-httplib, which parses the request itself): the POST /api/resolve body (http_api.h
// ParseResolveBody), the Authorization header (token.h Authorizes) and the /api/photo/<sha256> path
// segment (common/sha256.h Sha256FromHex), each fed the whole input.
#include <variant>

#include "common/sha256.h"
#include "coordinator/dashboard/http_api.h"
#include "coordinator/dashboard/token.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes = capture::fuzz::Bytes(data, size);
  if (size <= capture::dashboard::kMaxBodyBytes) {  // the server answers 413 beyond
    auto parsed = capture::dashboard::ParseResolveBody(bytes);
    if (const auto* in = std::get_if<capture::dashboard::ResolveInput>(&parsed)) {
      FUZZ_CHECK(in->id.size() >= 2 && in->id[0] == 'A');
      FUZZ_CHECK(!in->reason.empty() && in->reason.size() <= capture::dashboard::kMaxReasonBytes);
      FUZZ_CHECK(!in->by.empty() && in->by.size() <= capture::dashboard::kMaxByBytes);
    } else {
      (void)capture::dashboard::ErrorJson(std::get<std::string>(parsed));
    }
  }
  static const std::string token(64, 'a');
  FUZZ_CHECK(capture::dashboard::Authorizes(bytes, token) == (bytes == "Bearer " + token));
  if (const auto sha256 = capture::Sha256FromHex(bytes)) FUZZ_CHECK(size == 64);
  return 0;
}
