// Identities: the Ed25519 key pairs of stations, the coordinator and the registrar (libsodium).
//
// A public key is written everywhere as 64 lowercase hex digits of the Ed25519 public key. The
// CURVE (X25519) keys that secure the ZeroMQ sockets are derived from the Ed25519 keys
// (crypto_sign_ed25519_*_to_curve25519), so one key file serves both signing and transport.
//
// Key file (`station.key`, `coordinator.key`, `registrar.key`): the 32-byte Ed25519 seed as 64 hex
// digits and a newline, mode 0600. Public key file (`coordinator.pub`): 64 hex digits and a newline.
//
// Thread safety: an Identity is immutable after construction; share it freely. Its secret is wiped
// when it is destroyed.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "common/status.h"

namespace capture {

using PublicKey = std::array<unsigned char, 32>;  // Ed25519
using Signature = std::array<unsigned char, 64>;  // Ed25519, detached
using CurveKey = std::array<unsigned char, 32>;   // X25519, as libzmq's CURVE options take it

class Identity {
 public:
  static Identity Generate();
  // Reads a key file; the error names the file and what is wrong with it.
  static Result<Identity> Load(const std::string& path);
  // Reads the key file, or makes a new identity and writes it there (mode 0600, its folder synced)
  // when there is none. `created`, if given, tells which happened.
  static Result<Identity> LoadOrCreate(const std::string& path, bool* created = nullptr);

  Identity(const Identity& other);
  Identity& operator=(const Identity& other);
  ~Identity();

  // Writes the key file, which must not exist yet (mode 0600), and syncs its folder.
  Status SaveNew(const std::string& path) const;

  const PublicKey& public_key() const { return public_key_; }
  Signature Sign(std::string_view message) const;
  const CurveKey& curve_public() const { return curve_public_; }
  const CurveKey& curve_secret() const { return curve_secret_; }

 private:
  Identity() = default;
  static Identity FromSeed(const unsigned char* seed);

  std::array<unsigned char, 64> secret_key_{};  // libsodium's form: seed || public key
  PublicKey public_key_{};
  CurveKey curve_public_{};
  CurveKey curve_secret_{};
};

// 64 lowercase hex digits.
std::string KeyHex(const PublicKey& key);
// A public key from 64 hex digits (either case, surrounding white space ignored); `what` names
// the key in the error ("station 3's key in keys.csv line 4").
Result<PublicKey> ParseKeyHex(std::string_view hex, std::string_view what);
// A public key from its 32 raw bytes (as the wire carries it); `what` names it in the error.
Result<PublicKey> PublicKeyFromBytes(std::string_view bytes, std::string_view what);
// A public key file, or a key given as 64 hex digits in place of the file name.
Result<PublicKey> ReadPublicKey(const std::string& path_or_hex);
// Writes `key` to `path` durably (mode 0644: it is public).
Status WritePublicKey(const std::string& path, const PublicKey& key);

bool VerifySignature(const PublicKey& key, std::string_view message, const Signature& signature);
// The X25519 key a CURVE peer with this Ed25519 key presents; an error for a key that is not a
// valid Ed25519 point.
Result<CurveKey> CurvePublicOf(const PublicKey& key);

// A libsodium sealed box to the X25519 form of `key`: only the holder of its identity opens it.
Result<std::string> SealTo(const PublicKey& key, std::string_view plain);
// Opens a box sealed to `identity`; InvalidArgument naming `what` when it was sealed to another key
// or altered.
Result<std::string> OpenSealed(const Identity& identity, std::string_view sealed, std::string_view what);

}  // namespace capture
