// The command that exports the final photos: export photos DIR (photo_export.h: the folder).
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "common/fs.h"
#include "common/image_store.h"
#include "coordinator/judge/export.h"
#include "tools/capturectl/commands.h"
#include "tools/capturectl/photo_export.h"
#include "tools/capturectl/reconcile.h"

namespace capture::ctl {

namespace {

namespace fs = std::filesystem;

// DIR may be new or an empty folder: anything in it would be mistaken for part of the export.
Status CheckTargetFolder(const fs::path& dir) {
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (st.type() == fs::file_type::not_found) return Status::Ok();
  if (ec) return Status::IoError("cannot inspect " + dir.string() + ": " + ec.message());
  if (!fs::is_directory(st)) return Status::InvalidArgument(dir.string() + " exists and is not a folder");
  const bool empty = fs::is_empty(dir, ec);
  if (ec) return Status::IoError("cannot list " + dir.string() + ": " + ec.message());
  if (!empty) {
    return Status::InvalidArgument(dir.string() + " is not empty: export photos writes only into a new or empty folder");
  }
  return Status::Ok();
}

// Where the export is assembled: a new folder beside DIR, renamed to DIR once every file in it is
// written and synced, so that DIR appears whole or not at all and a half-written export is never
// handed over for upload. An error removes it; a crash leaves it under its own name, never as DIR.
class StagingFolder {
 public:
  explicit StagingFolder(fs::path target)
      : target_(std::move(target)),
        path_(target_.parent_path() / (target_.filename().string() + ".partial-" + std::to_string(::getpid()))) {}
  StagingFolder(const StagingFolder&) = delete;
  StagingFolder& operator=(const StagingFolder&) = delete;
  ~StagingFolder() {
    if (!created_ || committed_) return;
    std::error_code ec;
    fs::remove_all(path_, ec);  // best effort: the error that got us here is the one to report
  }

  const fs::path& path() const { return path_; }

  // Creates the folder (and DIR's parents), refusing one left behind by an earlier run.
  Status Create() {
    if (Status s = MakeDirs(target_.parent_path().string()); !s.ok()) return s;
    std::error_code ec;
    if (!fs::create_directory(path_, ec)) {
      if (ec) return Status::IoError("cannot create folder " + path_.string() + ": " + ec.message());
      return Status::InvalidArgument(path_.string() + " already exists: remove it (an unfinished export)");
    }
    created_ = true;
    return Status::Ok();
  }

  // Syncs the folder and renames it to DIR (over DIR only while DIR is an empty folder), durably.
  Status Commit() {
    if (Status s = RenameDurably(path_.string(), target_.string()); !s.ok()) return s;
    committed_ = true;
    return Status::Ok();
  }

 private:
  fs::path target_;
  fs::path path_;
  bool created_ = false;
  bool committed_ = false;
};

// DIR as an absolute path without a trailing separator, so that its parent holds the staging folder.
Result<fs::path> TargetPath(const std::string& dir) {
  std::error_code ec;
  fs::path path = fs::absolute(dir, ec).lexically_normal();
  if (ec) return Status::IoError("cannot resolve " + dir + ": " + ec.message());
  return path.has_filename() ? path : path.parent_path();
}

}  // namespace

int RunExportPhotos(const ExportPhotosArgs& args) {
  const auto fail = [](const std::string& message) { return Fail("export photos: " + message); };
  if (args.dir.empty()) return fail("give the folder to export into: export photos DIR");
  if (Status s = CheckOneSource(args.source); !s.ok()) return fail(s.message());
  if (!args.source.connection.endpoint.empty() && args.image_store.empty()) {
    return fail("--connect needs --image-store STORE: the running coordinator's --store folder, whose images/ it reads");
  }
  const std::string image_dir = args.image_store.empty() ? args.source.store_dir : args.image_store;
  std::error_code ec;
  if (!fs::is_directory(image_dir, ec)) return fail("the image store " + image_dir + " is not a folder");
  auto target = TargetPath(args.dir);
  if (!target.ok()) return fail(target.status().message());
  if (Status s = CheckTargetFolder(*target); !s.ok()) return fail(s.message());

  wire::ExportRequest request;
  request.set_what(wire::ExportRequest::ASSIGNMENT);
  auto text = ExportText(args.source, request);
  if (!text.ok()) return fail(text.status().message());
  auto assignment = ParseAssignmentCsv(*text, "the assignment export");
  if (!assignment.ok()) return fail(assignment.status().message());
  auto rows = PlanPhotoExport(std::move(*assignment), args.include_doubtful);
  if (!rows.ok()) return fail(rows.status().message() + "; nothing written");

  StagingFolder staging(*target);
  if (Status s = staging.Create(); !s.ok()) return fail(s.message());
  const ImageStore images(image_dir);
  for (PhotoRow& row : *rows) {
    if (row.outcome == PhotoOutcome::kHeldBack) {
      const std::string ids = judge::JoinAnomalyIds(row.record.open_anomalies);
      std::fprintf(stderr, "capturectl: %s\n", PhotoProblemLine(row, "open anomalies " + ids).c_str());
      continue;
    }
    if (!row.image) continue;
    auto bytes = images.ReadChecked(*row.image);
    if (!bytes.ok()) {
      const Status& s = bytes.status();
      if (s.code() == Status::Code::kNotFound) {
        row.outcome = PhotoOutcome::kMissing;
      } else if (s.code() == Status::Code::kCorruption) {
        row.outcome = PhotoOutcome::kAltered;
      } else {
        return fail(s.message());
      }
      std::fprintf(stderr, "capturectl: %s\n", PhotoProblemLine(row, s.message()).c_str());
      continue;
    }
    if (Status s = WriteNewFile(staging.path() / PhotoFileName(row.record.registry_no), *bytes); !s.ok()) {
      return fail(s.message());
    }
    row.outcome = PhotoOutcome::kExported;
  }
  if (Status s = WriteNewFile(staging.path() / kPhotoIndexFile, PhotoIndexCsv(*rows)); !s.ok()) {
    return fail(s.message());
  }
  if (Status s = staging.Commit(); !s.ok()) return fail(s.message());

  const PhotoExportSummary summary = SummarizePhotoExport(*rows);
  const int emitted =
      Emit(args.json ? PhotoSummaryJson(summary, args.dir) : PhotoSummaryLine(summary, args.dir), "");
  if (emitted != kExitOk) return emitted;
  return summary.held_back + summary.missing + summary.altered == 0 ? kExitOk : kExitFound;
}

}  // namespace capture::ctl
