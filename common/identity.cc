#include "common/identity.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "common/fs.h"
#include "common/sha256.h"

namespace capture {

namespace {

std::string_view Trimmed(std::string_view text) {
  while (!text.empty() && std::strchr(" \t\r\n", text.front())) text.remove_prefix(1);
  while (!text.empty() && std::strchr(" \t\r\n", text.back())) text.remove_suffix(1);
  return text;
}

// 32 bytes from exactly 64 hex digits.
bool Hex32(std::string_view hex, unsigned char* out) {
  size_t len = 0;
  return hex.size() == 64 &&
         sodium_hex2bin(out, 32, hex.data(), hex.size(), nullptr, &len, nullptr) == 0 && len == 32;
}

}  // namespace

Identity Identity::FromSeed(const unsigned char* seed) {
  EnsureSodium();
  Identity id;
  crypto_sign_seed_keypair(id.public_key_.data(), id.secret_key_.data(), seed);
  // Both conversions succeed for a key pair libsodium made.
  [[maybe_unused]] const int pk = crypto_sign_ed25519_pk_to_curve25519(id.curve_public_.data(), id.public_key_.data());
  [[maybe_unused]] const int sk = crypto_sign_ed25519_sk_to_curve25519(id.curve_secret_.data(), id.secret_key_.data());
  return id;
}

Identity Identity::Generate() {
  EnsureSodium();
  unsigned char seed[crypto_sign_SEEDBYTES];
  randombytes_buf(seed, sizeof seed);
  Identity id = FromSeed(seed);
  sodium_memzero(seed, sizeof seed);
  return id;
}

Result<Identity> Identity::Load(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Status::NotFound("cannot read key file " + path + ": " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
    return Status::InvalidArgument("key file " + path + " is readable by others (mode " + mode +
                                   "); make it private with chmod 600");
  }
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  unsigned char seed[crypto_sign_SEEDBYTES];
  const bool ok = Hex32(Trimmed(*text), seed);
  sodium_memzero(text->data(), text->size());
  if (!ok) return Status::InvalidArgument("key file " + path + " must hold 64 hex digits (an Ed25519 seed)");
  Identity id = FromSeed(seed);
  sodium_memzero(seed, sizeof seed);
  return id;
}

Result<Identity> Identity::LoadOrCreate(const std::string& path, bool* created) {
  if (created) *created = false;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return Load(path);
  Identity id = Generate();
  if (Status s = id.SaveNew(path); !s.ok()) {
    // Another process may have made it first: then its key is the one.
    if (std::filesystem::exists(path, ec)) return Load(path);
    return s;
  }
  if (created) *created = true;
  return id;
}

Identity::Identity(const Identity& other) = default;
Identity& Identity::operator=(const Identity& other) = default;

Identity::~Identity() {
  sodium_memzero(secret_key_.data(), secret_key_.size());
  sodium_memzero(curve_secret_.data(), curve_secret_.size());
}

Status Identity::SaveNew(const std::string& path) const {
  std::string text = ToHex(std::string_view(reinterpret_cast<const char*>(secret_key_.data()), crypto_sign_SEEDBYTES));
  text += '\n';
  Status s = WriteNewFile(path, text, 0600);
  sodium_memzero(text.data(), text.size());
  if (!s.ok()) return s;
  return SyncFolder(std::filesystem::path(path).parent_path().string());
}

Signature Identity::Sign(std::string_view message) const {
  Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       secret_key_.data());
  return sig;
}

std::string KeyHex(const PublicKey& key) { return ToHex(std::string_view(reinterpret_cast<const char*>(key.data()), key.size())); }

Result<PublicKey> ParseKeyHex(std::string_view hex, std::string_view what) {
  PublicKey key{};
  if (!Hex32(Trimmed(hex), key.data())) {
    return Status::InvalidArgument(std::string(what) + " must be 64 hex digits (an Ed25519 public key)");
  }
  return key;
}

Result<PublicKey> PublicKeyFromBytes(std::string_view bytes, std::string_view what) {
  PublicKey key{};
  if (bytes.size() != key.size()) {
    return Status::InvalidArgument(std::string(what) + " is " + std::to_string(bytes.size()) +
                                   " bytes long, not 32 (an Ed25519 public key)");
  }
  std::copy(bytes.begin(), bytes.end(), key.begin());
  return key;
}

Result<PublicKey> ReadPublicKey(const std::string& path_or_hex) {
  PublicKey key{};
  if (Hex32(Trimmed(path_or_hex), key.data())) return key;
  auto text = ReadFile(path_or_hex);
  if (!text.ok()) return text.status();
  return ParseKeyHex(*text, "public key file " + path_or_hex);
}

Status WritePublicKey(const std::string& path, const PublicKey& key) {
  return WriteFileDurably(path, KeyHex(key) + "\n", 0644);
}

bool VerifySignature(const PublicKey& key, std::string_view message, const Signature& signature) {
  EnsureSodium();
  return crypto_sign_verify_detached(signature.data(), reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), key.data()) == 0;
}

Result<CurveKey> CurvePublicOf(const PublicKey& key) {
  EnsureSodium();
  CurveKey curve{};
  if (crypto_sign_ed25519_pk_to_curve25519(curve.data(), key.data()) != 0) {
    return Status::InvalidArgument("key " + KeyHex(key) + " is not a valid Ed25519 public key");
  }
  return curve;
}

Result<std::string> SealTo(const PublicKey& key, std::string_view plain) {
  auto curve = CurvePublicOf(key);
  if (!curve.ok()) return curve.status();
  std::string sealed(plain.size() + crypto_box_SEALBYTES, '\0');
  crypto_box_seal(reinterpret_cast<unsigned char*>(sealed.data()), reinterpret_cast<const unsigned char*>(plain.data()),
                  plain.size(), curve->data());
  return sealed;
}

Result<std::string> OpenSealed(const Identity& identity, std::string_view sealed, std::string_view what) {
  EnsureSodium();
  if (sealed.size() < crypto_box_SEALBYTES) {
    return Status::InvalidArgument(std::string(what) + " is too short to be a sealed box");
  }
  std::string plain(sealed.size() - crypto_box_SEALBYTES, '\0');
  if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(plain.data()),
                           reinterpret_cast<const unsigned char*>(sealed.data()), sealed.size(),
                           identity.curve_public().data(), identity.curve_secret().data()) != 0) {
    return Status::InvalidArgument(std::string(what) + " does not open with key " + KeyHex(identity.public_key()) +
                                   ": it is sealed to another key, or altered");
  }
  return plain;
}

}  // namespace capture
