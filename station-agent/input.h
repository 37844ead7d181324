// The station's input lines: what the code reader types, and the operator's marks. Pure: no I/O.
//
// One line per collection code. A line starting with '!' is a mark:
//   !retake [REGISTRY_NO]       the next shot replaces this student's photo
//   !void [SHOT]                this shot (file name or shot number) is nobody's photo
//   !absent STUDENT_NO          this student is absent
//   !resolve ANOMALY_ID REASON  the coordinator's anomaly is dealt with, for this reason
//   !time ISO8601               sets the station clock (only with --sim-time)
// Leading and trailing whitespace (also a \r from a Windows terminal) is stripped; empty lines are
// ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/status.h"
#include "common/time_format.h"

namespace capture::agent {

struct EmptyLine {};
// The raw code: secret. It goes to the decoder and nowhere else.
struct CodeLine {
  std::string code;
};
struct RetakeMark {
  std::optional<std::string> registry_no;  // none: the student of the most recent shot
};
struct VoidMark {
  std::optional<std::string> shot;  // a file name or a shot number; none: the most recent shot
};
struct AbsentMark {
  std::string student_no;
};
struct ResolveMark {
  std::string anomaly_id;
  std::string reason;  // the rest of the line, inner spacing kept
};
struct TimeMark {
  MicrosSinceEpoch time = 0;
  int utc_offset_minutes = 0;  // as written, so local times (EXIF) can be read in the same zone
};

using InputLine = std::variant<EmptyLine, CodeLine, RetakeMark, VoidMark, AbsentMark, ResolveMark, TimeMark>;

// The valid mark forms, for error messages and --help.
inline constexpr std::string_view kMarkForms =
    "!retake [REGISTRY_NO], !void [SHOT], !absent STUDENT_NO, !resolve ANOMALY_ID REASON..., "
    "!time 2024-04-22T08:30:05+08:00";

// A malformed or unknown mark is an error naming the line number, the mark and the valid forms.
// Only marks are ever quoted: a code line cannot fail here.
Result<InputLine> ParseInputLine(std::string_view line, uint64_t line_number);

}  // namespace capture::agent
