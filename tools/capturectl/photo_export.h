// The photo export: each student's final image, named by registry number, with an index, ready to
// hand over for upload. Pure: the file names, the index and the summary; photo_commands.cc reads
// the image store and writes the folder.
//
// The folder (a stable interface, documented in `capturectl export --help`):
//   DIR/<registry_no>.jpg  the image the record assigns to the student, its SHA-256 checked again
//   DIR/index.csv          UTF-8, header first, one row per roster student in student_no order:
//     registry_no,student_no,class,status,station,shot,image_file,image_sha256,open_anomalies,photo_file
// The middle columns are the assignment export's (coordinator/judge/export.h), except that status
// is held_back where an open WARNING or BLOCKER names the student or their photo (an uploaded photo
// cannot be replaced, so a doubtful one stays in the room unless --include-doubtful), and
// image_missing or image_altered where the record assigns an image that the image store lacks or
// whose bytes no longer hash to image_sha256. photo_file is the exported file's name, empty where
// no photo was exported. registry_no comes first: it is the key the upload goes by.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/sha256.h"
#include "common/status.h"
#include "coordinator/judge/judge.h"

namespace capture::ctl {

inline constexpr std::string_view kPhotoIndexHeader =
    "registry_no,student_no,class,status,station,shot,image_file,image_sha256,open_anomalies,photo_file";
inline constexpr std::string_view kPhotoIndexFile = "index.csv";

// OK when `registry_no` can name a file on any common file system (the folder may travel on a
// FAT-formatted stick): 1 to 128 ASCII letters, digits, '-', '_' or '.', the first neither '.'
// nor '-'. Otherwise InvalidArgument saying what is wrong with it.
Status CheckPhotoFileName(std::string_view registry_no);

// "<registry_no>.jpg"
std::string PhotoFileName(std::string_view registry_no);

enum class PhotoOutcome {
  kNoPhoto,   // the record assigns the student no image
  kExported,  // copied to DIR/<registry_no>.jpg
  kHeldBack,  // in doubt (open anomalies name it), so not copied: held_back
  kMissing,   // the image store lacks the assigned image: image_missing
  kAltered,   // the stored image no longer hashes to its name: image_altered
};

struct PhotoRow {
  judge::AssignmentRow record;
  std::optional<Sha256> image;  // the assigned image (record.image_sha256), if any
  PhotoOutcome outcome = PhotoOutcome::kNoPhoto;
};

// The assignment's rows, in its order, each with its assigned image parsed, and held back (kHeldBack)
// where open anomalies name the student or the photo, unless `include_doubtful`. InvalidArgument naming
// the student when a student with an image has a registry_no that CheckPhotoFileName refuses or
// that differs from another's only in letter case (one file on a case-insensitive file system),
// or an image_sha256 that is not 64 hex digits.
Result<std::vector<PhotoRow>> PlanPhotoExport(std::vector<judge::AssignmentRow> assignment, bool include_doubtful);

// The index's status column: the assignment's status, or held_back / image_missing / image_altered.
std::string_view PhotoIndexStatus(const PhotoRow& row);

// index.csv's text: kPhotoIndexHeader, then one line per row.
std::string PhotoIndexCsv(const std::vector<PhotoRow>& rows);

// For stderr: an assigned image that was not exported, with what the record says of it, e.g.
//   held_back registry_no=… student_no=… station=1 shot=412 image_file=IMG_0412.JPG image_sha256=…: open anomalies A3 A11
//   image_missing registry_no=… student_no=… station=1 shot=412 image_file=IMG_0412.JPG image_sha256=…: <detail>
std::string PhotoProblemLine(const PhotoRow& row, std::string_view detail);

struct PhotoExportSummary {
  size_t students = 0;  // rows in index.csv
  size_t exported = 0;
  size_t doubtful = 0;  // exported although open anomalies name them (--include-doubtful)
  size_t held_back = 0;
  size_t missing = 0;
  size_t altered = 0;
};
PhotoExportSummary SummarizePhotoExport(const std::vector<PhotoRow>& rows);

// "57 photos exported to DIR, 2 held back (open anomalies), 1 missing, 1 altered; index.csv lists 63 students\n"
// With doubtful photos included: "59 photos exported to DIR (2 in doubt, included by --include-doubtful), …"
std::string PhotoSummaryLine(const PhotoExportSummary& summary, std::string_view dir);
// {"dir":"…","students":63,"exported":57,"doubtful_included":0,"held_back":2,"missing":1,"altered":1}
// and a newline.
std::string PhotoSummaryJson(const PhotoExportSummary& summary, std::string_view dir);

}  // namespace capture::ctl
