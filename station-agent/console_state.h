// What the operator's console at a station shows (console.h draws it), kept up to date from what
// the agent sees: its journaled events and alerts, the judge's verdicts and the station's progress
// as the coordinator reports them, and the line being typed. Pure: no I/O, no clock.
//
// Everything here may come from the network or a keyboard and is stored as received; the
// renderer makes it safe to print. The station never holds roster names: a student appears by
// masked name and registry number, exactly as the collection code revealed them.
//
// One thread uses a ConsoleState.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "capture.pb.h"
#include "common/language.h"

namespace capture::agent {

struct ConsoleCode {
  std::string masked_name;
  std::string registry_no;
};

struct ConsoleShot {
  uint32_t number = 0;
  std::string file;
};

struct ConsoleAnomaly {
  std::string id;
  wire::Severity severity = wire::SEVERITY_UNSPECIFIED;
  std::string kind;  // the kind's name in the console's language (KindName)
  std::vector<std::string> shots;
  std::string message;  // in the console's language
  // Raised by one of this operator's own marks (a mistyped student number or anomaly id): shown
  // as a WARNING with its fix, as a blocker is, until it is resolved.
  bool from_operator = false;
};

// "张*明 …0123": a student as the console names one, by masked name and the end of the registry
// number ("a student …0123" / "一名学生 …0123" without a masked name).
std::string StudentText(std::string_view masked_name, std::string_view registry_no, Language language);
// "0412 IMG_0412.JPG"
std::string ShotText(uint32_t number, std::string_view file);

struct ConsoleState {
  uint32_t station = 0;
  Language language = Language::kZh;  // what every line is said in; set before the first update
  uint64_t last_seq = 0;  // the last event journaled (or found in the journal at start)
  // The station's progress; none until the coordinator has reported it.
  std::optional<wire::StationProgress> progress;
  std::optional<ConsoleCode> last_code;
  std::optional<ConsoleShot> last_shot;
  std::vector<ConsoleAnomaly> open;  // this station's open anomalies, in the order raised
  std::set<uint64_t> mark_seqs;      // seqs of this process's marks (!absent, !resolve, …)
  std::string news;                  // the last thing that happened, one sentence
  bool news_is_alert = false;        // ... and it needs the operator's attention
  // Seconds the coordinator has been silent, once that is long enough to tell the operator.
  std::optional<int64_t> coordinator_silent_s;
  // Whether the operator types into the console (stdin is its terminal), and what has been typed
  // of the current line so far.
  bool typing_here = false;
  std::string typing;
  // BLOCKERs raised since the terminal bell last rang: the next drawing rings it, once.
  size_t unrung_blockers = 0;

  void Event(const wire::CaptureEvent& event);
  void Alert(std::string_view sentence);
  // Takes the anomalies raised and resolved at this station; others are not this operator's. An
  // anomaly already open is not taken again.
  void Verdict(const wire::Verdict& verdict);
  // Ignored unless it is this station's.
  void Progress(const wire::StationProgress& progress);

  size_t open_blockers() const;
};

// The operator's typing, edited as a terminal in canonical mode would, so that the console can
// show the line while it is typed: printable text is appended, Backspace/DEL removes the last
// character (a whole UTF-8 sequence), Ctrl-U the whole line, a CR or LF ends it (CR LF counts
// once), escape sequences (arrow keys) and other control bytes are dropped. A line longer than
// `max_line` bytes keeps its first max_line + 1 bytes, so that whoever takes the line still sees
// it is too long. Pure.
class LineEditor {
 public:
  explicit LineEditor(size_t max_line) : max_line_(max_line) {}
  // The lines completed by `bytes`, each followed by '\n'.
  std::string Feed(std::string_view bytes);
  const std::string& pending() const { return pending_; }

 private:
  enum class Escape { kNone, kStart, kSequence };
  size_t max_line_;
  std::string pending_;
  Escape escape_ = Escape::kNone;
  bool after_cr_ = false;
};

}  // namespace capture::agent
