#include "station-agent/console_terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "common/log.h"

namespace capture::agent {

namespace {

constexpr std::string_view kLog = "console";

}  // namespace

ConsoleTerminal::ConsoleTerminal(int out_fd, int in_fd, uint32_t station, size_t max_line)
    : out_fd_(out_fd), in_fd_(in_fd), editor_(max_line) {
  state_.station = station;
}

Result<std::unique_ptr<ConsoleTerminal>> ConsoleTerminal::Open(int out_fd, int in_fd, uint32_t station,
                                                               size_t max_line) {
  std::unique_ptr<ConsoleTerminal> console(new ConsoleTerminal(out_fd, -1, station, max_line));
  if (in_fd >= 0 && ::isatty(in_fd)) {
    termios saved{};
    if (::tcgetattr(in_fd, &saved) != 0) {
      return Status::IoError(std::string("cannot read the input terminal's settings: ") + std::strerror(errno));
    }
    termios raw = saved;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO | IEXTEN);
    raw.c_iflag &= ~static_cast<tcflag_t>(IXON);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    raw.c_cc[VSUSP] = _POSIX_VDISABLE;
    if (::tcsetattr(in_fd, TCSANOW, &raw) != 0) {
      return Status::IoError(std::string("cannot set the input terminal's mode: ") + std::strerror(errno));
    }
    console->in_fd_ = in_fd;
    console->saved_termios_ = saved;
    console->state_.typing_here = true;
  }
  console->screen_ = console->QuerySize();
  console->Write(OpenScreen());
  return console;
}

ConsoleTerminal::~ConsoleTerminal() {
  Write(CloseScreen(screen_));
  if (saved_termios_ && ::tcsetattr(in_fd_, TCSANOW, &*saved_termios_) != 0) {
    LogWarn(kLog, std::string("cannot restore the terminal's settings (try `stty sane`): ") + std::strerror(errno));
  }
}

std::string ConsoleTerminal::Typed(std::string_view bytes) {
  std::string lines = editor_.Feed(bytes);
  state_.typing = editor_.pending();
  return lines;
}

void ConsoleTerminal::Refresh() {
  const Screen now = QuerySize();
  const bool resized = now.rows != screen_.rows || now.cols != screen_.cols;
  const ConsoleFrame frame =
      RenderConsole(state_, {true, now.cols, BlockHeight(std::numeric_limits<size_t>::max(), now.rows)});
  if (!resized && !frame.bell && frame.lines == drawn_) return;
  std::string bytes;
  if (resized) {
    bytes = OpenScreen();  // the terminal reflowed what it showed: start afresh
    screen_ = {now.rows, now.cols, 0};
  }
  bytes += PaintFrame(frame, screen_);
  Write(bytes);
  screen_.previous_height = BlockHeight(frame.lines.size(), screen_.rows);
  drawn_ = frame.lines;
  state_.unrung_blockers = 0;
}

Screen ConsoleTerminal::QuerySize() const {
  winsize size{};
  if (::ioctl(out_fd_, TIOCGWINSZ, &size) != 0 || size.ws_row == 0 || size.ws_col == 0) return Screen{};
  return Screen{size.ws_row, size.ws_col, screen_.previous_height};
}

void ConsoleTerminal::Write(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(out_fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a terminal that went away: the journal and the coordinator still have everything
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace capture::agent
