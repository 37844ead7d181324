// The operator's console: a block of status lines drawn from a ConsoleState (console_state.h), as
// plain text or with ANSI colours, and the bytes that keep it in place at the top of a terminal.
// Pure: no I/O. console_terminal.h does the terminal's side.
//
// The block, one line each (plain; the labels are padded to nine columns):
//   station 1 · last event #12                    (· coordinator silent for 8 s, when it is)
//   class    汉语言文学2101: 4 of 30 photographed · 41 at this station
//   code     张*明 …0123                           the last code read: masked name, end of the registry number
//   shot     0412 IMG_0412.JPG                     the last image taken in
//   open     2 anomalies, 1 blocker
//   BLOCKER  A3 SHOT_WITHOUT_CODE IMG_0413.JPG     each open blocker, kept until it is resolved
//            <its message, wrapped over at most three lines>
//   WARNING  A4 UNKNOWN_STUDENT                    each open anomaly the operator's own mark raised
//            <its message: what to check and type again>
//   last     <the last thing that happened, wrapped likewise; yellow when it is an alert>
//   > !resolve A3 blu                             only when the operator types here; a code being
//   marks: !retake [REGISTRY_NO], …                read shows as its length, never its text
// In ANSI mode blockers are bold white on red (kAnsiBlocker), a warning or alert is yellow, and the bell
// rings once for each drawing after new blockers were raised.
//
// Every piece of text passes TerminalSafe (common/utf8.h) first: a class label, an anomaly message or a
// typed line cannot move the cursor, change colours or retitle the window.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "station-agent/console_state.h"

namespace capture::agent {

inline constexpr std::string_view kAnsiBlocker = "\x1b[1;97;41m";
inline constexpr std::string_view kAnsiAlert = "\x1b[33m";
inline constexpr std::string_view kAnsiReset = "\x1b[0m";
inline constexpr std::string_view kBell = "\a";

struct RenderOptions {
  bool ansi = false;
  size_t width = 0;      // display columns a line may take; 0: no limit, nothing wrapped
  size_t max_lines = 0;  // 0: no limit; else blockers beyond it are summed up in one line
};

struct ConsoleFrame {
  std::vector<std::string> lines;  // without newlines
  bool bell = false;               // ANSI only: new blockers since the bell last rang
};

ConsoleFrame RenderConsole(const ConsoleState& state, const RenderOptions& options);

// Where the block is drawn: a terminal of `rows` x `cols`, whose top `previous_height` rows hold
// the block drawn last (0: none yet).
struct Screen {
  size_t rows = 24;
  size_t cols = 80;
  size_t previous_height = 0;
};

// The bytes that draw `frame` (ANSI lines) over the top rows of the terminal and keep the rows
// below as the scrolling region where other output (the agent's logs on stderr) goes. Starts
// with DECSC (ESC 7): one drawing is everything from there on. The cursor goes back where it was,
// or to the bottom row when the block changed height.
std::string PaintFrame(const ConsoleFrame& frame, const Screen& screen);
// The rows a frame of `lines` takes on a terminal of `rows` (the rest stays for the logs).
size_t BlockHeight(size_t lines, size_t rows);
// Taking the terminal over: hides the cursor and clears the screen (then PaintFrame with
// previous_height 0). Giving it back: the whole screen scrolls again, the cursor goes below the
// block and shows.
std::string OpenScreen();
std::string CloseScreen(const Screen& screen);

}  // namespace capture::agent
