// Collection codes (采集码): what the station's code reader reads, and how it is decoded.
//
// The decoder is pluggable (CodeDecoder). The shipped demo format is
//     "CC1." base64url( nonce[24] || XChaCha20-Poly1305( registry_no 0x1F masked_name ) )
// under a 32-byte site key (associated data "capture-code-v1"). Only the registry number and the
// masked name are inside; a code that does not authenticate under the site key is unreadable.
// The raw code text is never logged or stored: only the decoded result is.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace capture {

struct DecodedCode {
  std::string registry_no;
  std::string masked_name;
};

class CodeDecoder {
 public:
  virtual ~CodeDecoder() = default;
  // Returns the decoded content, or an error whose message is safe to show (it quotes no code):
  // NotFound for a well-formed code that is not this site's (minted under another site's or
  // year's key, or forged), which reading again cannot mend; InvalidArgument for a damaged read.
  virtual Result<DecodedCode> Decode(std::string_view raw_code) const = 0;
};

using SiteKey = std::string;  // 32 raw bytes

// A new random site key.
SiteKey GenerateSiteKey();
// The key file holds the key as 64 hex digits and a newline.
Result<SiteKey> LoadSiteKey(const std::string& path);
Status SaveSiteKey(const std::string& path, const SiteKey& key);  // mode 0600

// The demo code for a registry number. Deterministic: one registry number has exactly one code.
std::string MintDemoCode(const SiteKey& key, std::string_view registry_no, std::string_view masked_name);

std::unique_ptr<CodeDecoder> MakeDemoCodeDecoder(SiteKey key);

}  // namespace capture
