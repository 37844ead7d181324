// Small file helpers with explicit durability.
#pragma once

#include <string>

#include "common/status.h"

namespace capture {

Result<std::string> ReadFile(const std::string& path);

// Writes to a temporary name beside `path`, fsyncs it, renames it over `path` and fsyncs the
// folder: after OK the file is complete on disk or, after a crash, absent or the old one.
Status WriteFileDurably(const std::string& path, std::string_view bytes, int mode = 0644);

// Like WriteFileDurably but leaves the flush to the kernel: a process that dies leaves the whole
// file or none, a power cut may leave it short or absent. For a copy that can be made again.
Status WriteFileAtomically(const std::string& path, std::string_view bytes, int mode = 0644);

// Creates `path`, which must not exist yet, with `bytes` and fsyncs it; its folder is not synced
// (a caller writing many files syncs it once).
Status WriteNewFile(const std::string& path, std::string_view bytes, int mode = 0644);

// fsyncs the folder, so that entries just created or renamed in it are durable.
Status SyncFolder(const std::string& dir);

// fsyncs the file at `from`, renames it to `to` and syncs `to`'s folder.
Status RenameDurably(const std::string& from, const std::string& to);

// Creates the folder and its parents (mode 0755); OK if it already exists.
Status MakeDirs(const std::string& path);
// The same, but a folder it creates is mode 0700 (a store or a journal: records, keys, photos);
// one that exists is left as it is.
Status MakePrivateDirs(const std::string& path);

}  // namespace capture
