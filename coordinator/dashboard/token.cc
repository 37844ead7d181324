#include "coordinator/dashboard/token.h"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/fs.h"
#include "common/log.h"
#include "common/sha256.h"

namespace capture::dashboard {

namespace {

constexpr char kLog[] = "dashboard";
constexpr size_t kTokenBytes = 32;
constexpr std::string_view kBearer = "Bearer ";

Status Errno(const std::string& what, const std::string& path) {
  return Status::IoError(what + " " + path + ": " + std::strerror(errno));
}

bool IsToken(std::string_view text) {
  if (text.size() != 2 * kTokenBytes) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Makes a new token file at `path` unless one appears there first (then OK: the caller reads it).
Status CreateToken(const std::string& path) {
  EnsureSodium();
  unsigned char raw[kTokenBytes];
  randombytes_buf(raw, sizeof raw);
  const std::string text = ToHex(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw)) + "\n";
  sodium_memzero(raw, sizeof raw);

  const std::string tmp = path + ".new-" + std::to_string(::getpid());
  Status written = WriteNewFile(tmp, text, 0600);
  if (written.ok() && ::link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST) written = Errno("cannot link", path);
  ::unlink(tmp.c_str());
  if (!written.ok()) return written;
  return SyncFolder(std::filesystem::path(path).parent_path().string());
}

}  // namespace

Result<std::string> LoadOrCreateToken(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return Errno("cannot stat", path);
    if (Status s = CreateToken(path); !s.ok()) return s;
    LogInfo(kLog, "made a new registrar token in " + path + " (mode 0600)");
    if (::stat(path.c_str(), &st) != 0) return Errno("cannot stat", path);
  }
  if ((st.st_mode & 077) != 0) {
    if (::chmod(path.c_str(), 0600) != 0) return Errno("cannot make 0600", path);
    LogWarn(kLog, "the registrar token " + path +
                      " was readable by others and is 0600 now; whoever read it can "
                      "still use it: delete the file and restart for a new one");
  }
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::string token = *text;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (!IsToken(token)) return Status::Corruption(path + " does not hold a registrar token (64 hex digits)");
  return token;
}

bool Authorizes(std::string_view authorization_header, const std::string& token) {
  if (authorization_header.substr(0, kBearer.size()) != kBearer) return false;
  return SecretsEqual(authorization_header.substr(kBearer.size()), token);
}

}  // namespace capture::dashboard
