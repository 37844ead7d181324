#include "common/collection_code.h"

#include <sodium.h>

#include <cstring>

#include "common/fs.h"
#include "common/utf8.h"
#include "common/sha256.h"

namespace capture {

namespace {

constexpr std::string_view kPrefix = "CC1.";
constexpr std::string_view kAssociatedData = "capture-code-v1";
constexpr char kSeparator = '\x1f';
constexpr size_t kMaxCodeChars = 1024;

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

class DemoCodeDecoder final : public CodeDecoder {
 public:
  explicit DemoCodeDecoder(SiteKey key) : key_(std::move(key)) {}

  Result<DecodedCode> Decode(std::string_view raw) const override {
    if (raw.size() > kMaxCodeChars) return Status::InvalidArgument("code too long to be a collection code");
    if (raw.substr(0, kPrefix.size()) != kPrefix) {
      return Status::InvalidArgument("not a collection code (wrong prefix)");
    }
    const std::string_view body = raw.substr(kPrefix.size());
    std::string sealed(body.size(), '\0');
    size_t sealed_len = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(sealed.data()), sealed.size(), body.data(), body.size(),
                          nullptr, &sealed_len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
      return Status::InvalidArgument("collection code is damaged (not base64url)");
    }
    const size_t nonce_len = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    const size_t tag_len = crypto_aead_xchacha20poly1305_ietf_ABYTES;
    if (sealed_len < nonce_len + tag_len) return Status::InvalidArgument("collection code is truncated");
    std::string plain(sealed_len - nonce_len - tag_len, '\0');
    unsigned long long plain_len = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            reinterpret_cast<unsigned char*>(plain.data()), &plain_len, nullptr, Bytes(sealed) + nonce_len,
            sealed_len - nonce_len, Bytes(kAssociatedData), kAssociatedData.size(), Bytes(sealed), Bytes(key_)) != 0) {
      return Status::NotFound("the code belongs to another site or year (it does not authenticate under this site's "
                              "key)");
    }
    plain.resize(plain_len);
    const size_t sep = plain.find(kSeparator);
    if (sep == std::string::npos || sep == 0) return Status::InvalidArgument("collection code has no registry number");
    // Minted from text in another encoding: it would not survive as a record's string.
    if (!IsValidUtf8(plain)) return Status::NotFound("the code holds text that is not UTF-8 (minted by another tool)");
    return DecodedCode{plain.substr(0, sep), plain.substr(sep + 1)};
  }

 private:
  SiteKey key_;
};

}  // namespace

SiteKey GenerateSiteKey() {
  EnsureSodium();
  SiteKey key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES, '\0');
  randombytes_buf(key.data(), key.size());
  return key;
}

Result<SiteKey> LoadSiteKey(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::string hex = *text;
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r' || hex.back() == ' ')) hex.pop_back();
  SiteKey key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES, '\0');
  size_t len = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), hex.data(), hex.size(), nullptr, &len,
                     nullptr) != 0 ||
      len != key.size()) {
    return Status::InvalidArgument("site key file " + path + " must hold 64 hex digits");
  }
  return key;
}

Status SaveSiteKey(const std::string& path, const SiteKey& key) {
  return WriteFileDurably(path, ToHex(key) + "\n", 0600);
}

std::string MintDemoCode(const SiteKey& key, std::string_view registry_no, std::string_view masked_name) {
  EnsureSodium();
  std::string plain(registry_no);
  plain += kSeparator;
  plain += masked_name;
  const size_t nonce_len = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string sealed(nonce_len + plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  // The nonce is a keyed hash of the content, so minting is deterministic and nonces never repeat
  // for different content under one key.
  crypto_generichash(reinterpret_cast<unsigned char*>(sealed.data()), nonce_len, Bytes(plain), plain.size(),
                     Bytes(key), key.size());
  unsigned long long sealed_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char*>(sealed.data()) + nonce_len,
                                             &sealed_len, Bytes(plain), plain.size(), Bytes(kAssociatedData),
                                             kAssociatedData.size(), nullptr, Bytes(sealed), Bytes(key));
  std::string b64(sodium_base64_ENCODED_LEN(sealed.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(b64.data(), b64.size(), Bytes(sealed), sealed.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  b64.resize(std::strlen(b64.c_str()));
  return std::string(kPrefix) + b64;
}

std::unique_ptr<CodeDecoder> MakeDemoCodeDecoder(SiteKey key) {
  EnsureSodium();
  return std::make_unique<DemoCodeDecoder>(std::move(key)); }

}  // namespace capture
