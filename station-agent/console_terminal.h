// The operator's console on a real terminal: draws the ConsoleState (console.h) at the top of the
// terminal on stdout, redrawing in place when it changes, and, when the operator types on that
// terminal, edits the line being typed so the console can show it.
//
// Taking the terminal over: the screen is cleared; the rows below the block scroll (the agent's logs
// on stderr go there when stderr is the same terminal). A typing terminal is switched to
// non-canonical mode without echo (the console echoes the line itself), with flow control
// (Ctrl-S) and suspend (Ctrl-Z) off, since a stopped output or a stopped process would stop the
// station; Ctrl-C still stops the agent cleanly. The destructor gives everything back. A process
// killed with SIGKILL cannot: `stty sane` repairs the terminal then.
//
// One thread uses a ConsoleTerminal; writes to the terminal block like any stdout write.
#pragma once

#include <termios.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "station-agent/console.h"
#include "station-agent/console_state.h"

namespace capture::agent {

class ConsoleTerminal {
 public:
  // Draws on `out_fd`. `in_fd` is where the operator types, or -1 when input comes from elsewhere:
  // only a terminal is edited. Lines typed are capped at `max_line` bytes (see LineEditor).
  static Result<std::unique_ptr<ConsoleTerminal>> Open(int out_fd, int in_fd, uint32_t station, size_t max_line);
  ~ConsoleTerminal();
  ConsoleTerminal(const ConsoleTerminal&) = delete;
  ConsoleTerminal& operator=(const ConsoleTerminal&) = delete;

  ConsoleState& state() { return state_; }
  // Whether the operator types here: then input bytes go through Typed.
  bool typing_here() const { return state_.typing_here; }
  // Bytes read from the typing terminal; returns the lines they completed, each ending in '\n'.
  std::string Typed(std::string_view bytes);
  // Draws the block when it changed, a bell is due, or the terminal was resized.
  void Refresh();

 private:
  ConsoleTerminal(int out_fd, int in_fd, uint32_t station, size_t max_line);
  Screen QuerySize() const;
  void Write(std::string_view bytes);

  int out_fd_;
  int in_fd_;  // -1 unless switched to non-canonical mode
  std::optional<termios> saved_termios_;
  ConsoleState state_;
  LineEditor editor_;
  Screen screen_;                  // the size drawn for, and the block's height on it
  std::vector<std::string> drawn_;  // the lines on the screen now
};

}  // namespace capture::agent
