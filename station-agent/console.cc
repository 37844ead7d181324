#include "station-agent/console.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>

#include "common/utf8.h"
#include "station-agent/input.h"

namespace capture::agent {

namespace {

constexpr std::string_view kAnsiHeader = "\x1b[1m";
constexpr std::string_view kAnsiHeaderWarning = "\x1b[1;33m";
constexpr std::string_view kAnsiDim = "\x1b[2m";
constexpr std::string_view kAnsiCursor = "\x1b[7m \x1b[0m";  // a reverse-video space
constexpr size_t kLabelWidth = 9;
constexpr size_t kMessageLines = 3;  // of one sentence for the operator, at most

// The longest prefix of sanitized `text` that takes at most `width` columns, in bytes.
size_t PrefixFitting(std::string_view text, size_t width) {
  size_t used = 0, at = 0;
  while (at < text.size()) {
    const Utf8Char c = DecodeChar(text, at);
    const size_t columns = c.valid ? CharWidth(c.value) : 1;
    if (used + columns > width) break;
    used += columns;
    at += c.length;
  }
  return at;
}

// `text` cut to `width` columns (0: no limit), with "…" where it was cut.
std::string Truncate(std::string_view text, size_t width) {
  if (width == 0 || DisplayWidth(text) <= width) return std::string(text);
  return std::string(text.substr(0, PrefixFitting(text, width - 1))) + "…";
}

// The end of `text` in `width` columns, with "…" before it where it was cut: what was typed last
// stays in view.
std::string TruncateLeft(std::string_view text, size_t width) {
  if (width == 0 || DisplayWidth(text) <= width) return std::string(text);
  size_t start = 0;
  while (DisplayWidth(text.substr(start)) > width - 1) {
    start += DecodeChar(text, start).length;
  }
  return "…" + std::string(text.substr(start));
}

// `text` in lines of at most `width` columns, broken after a space where there is one, at most
// `max_lines` of them (the last cut with "…" when text is left over).
std::vector<std::string> Wrap(std::string_view text, size_t width, size_t max_lines) {
  std::vector<std::string> lines;
  while (!text.empty() && lines.size() < max_lines) {
    if (lines.size() + 1 == max_lines || DisplayWidth(text) <= width) {
      lines.push_back(Truncate(text, width));
      break;
    }
    size_t cut = PrefixFitting(text, width);
    if (cut == 0) cut = DecodeChar(text, 0).length;  // too narrow for even one
    if (const size_t space = text.substr(0, cut + 1).rfind(' '); space != std::string_view::npos && space > 0) {
      cut = space;
    }
    lines.emplace_back(text.substr(0, cut));
    text.remove_prefix(cut);
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  }
  return lines;
}

// The label padded to kLabelWidth columns (a Chinese character takes two).
std::string Labelled(std::string_view label, std::string_view text) {
  const size_t width = DisplayWidth(label);
  return std::string(label) + std::string(std::max(kLabelWidth, width + 1) - width, ' ') + std::string(text);
}

// The console's fixed words, in its language.
struct Words {
  std::string_view station, last_event, coordinator_silent, seconds;
  std::string_view class_label, code_label, shot_label, open_label, last_label, marks;
  std::string_view none_yet, nothing_yet, no_anomalies, awaiting_count;
};

constexpr Words kChinese = {"机位 ", " · 最后事件 #", " · 协调器已无响应 ", " 秒",
                            "班级", "码", "照片", "异常", "最近", "标记：",
                            "暂无", "暂无", "没有未解决的异常", "等待协调器的计数"};
constexpr Words kEnglish = {"station ", " · last event #", " · coordinator silent for ", " s",
                            "class", "code", "shot", "open", "last", "marks: ",
                            "none yet", "nothing yet", "no open anomalies", "waiting for the coordinator's count"};

const Words& WordsOf(Language language) { return language == Language::kZh ? kChinese : kEnglish; }

// "2 anomalies" / "2 个异常".
std::string Count(size_t n, Language language, std::string_view zh, std::string_view one, std::string_view many) {
  if (language == Language::kZh) return std::to_string(n) + " 个" + std::string(zh);
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string ProgressText(const ConsoleState& s) {
  const bool zh = s.language == Language::kZh;
  if (!s.progress) return std::string(WordsOf(s.language).awaiting_count);
  const wire::StationProgress& p = *s.progress;
  const std::string photographed = std::to_string(p.photographed());
  const std::string here = zh ? "本机位已拍 " + photographed : photographed + " at this station";
  if (p.current_class().empty()) return std::string(WordsOf(s.language).none_yet) + " · " + here;
  const std::string done = std::to_string(p.class_done()), expected = std::to_string(p.class_expected());
  return zh ? p.current_class() + "：已拍 " + done + " / " + expected + " 人 · " + here
            : p.current_class() + ": " + done + " of " + expected + " photographed · " + here;
}

std::string OpenText(const ConsoleState& s) {
  if (s.open.empty()) return std::string(WordsOf(s.language).no_anomalies);
  const size_t blockers = s.open_blockers();
  const std::string anomalies = Count(s.open.size(), s.language, "异常", "anomaly", "anomalies");
  if (blockers == 0) return anomalies;
  return anomalies + (s.language == Language::kZh ? "，" : ", ") +
         Count(blockers, s.language, "阻断", "blocker", "blockers");
}

// What has been typed of the current line. A collection code is a secret: only its length shows.
std::string TypingText(const std::string& typing, Language language) {
  if (typing.empty() || typing.front() == '!') return TerminalSafe(typing);
  return (language == Language::kZh ? "[正在读码：" : "[code being read: ") +
         Count(typing.size(), language, "字符", "character", "characters") + "]";
}

struct Line {
  std::string text;  // sanitized
  std::string_view style;
  bool prompt = false;  // the typing line: the cursor goes after it
};

// A sentence for the operator, wrapped to the width: under `head` when there is one, its first
// line after `lead` (as wide as a label), the others indented as far.
std::vector<Line> Sentence(const std::string& head, const std::string& lead, std::string_view text, size_t width,
                           std::string_view style) {
  const size_t room =
      width == 0 ? std::numeric_limits<size_t>::max() : (width > kLabelWidth + 1 ? width - kLabelWidth : 1);
  std::vector<Line> lines;
  if (!head.empty()) lines.push_back({Truncate(TerminalSafe(head), width), style});
  const std::vector<std::string> parts = Wrap(TerminalSafe(text), room, width == 0 ? 1 : kMessageLines);
  for (size_t i = 0; i < parts.size(); ++i) {
    lines.push_back({(i == 0 ? lead : std::string(kLabelWidth, ' ')) + parts[i], style});
  }
  return lines;
}

// What the operator must act on: every blocker, and every anomaly their own mark raised.
bool Shown(const ConsoleAnomaly& a) { return a.severity == wire::BLOCKER || a.from_operator; }

std::vector<Line> AnomalyLines(const ConsoleAnomaly& a, size_t width, Language language) {
  std::string head = a.id + " " + a.kind;
  for (size_t i = 0; i < a.shots.size(); ++i) head += (i == 0 ? " " : ",") + a.shots[i];
  const bool blocker = a.severity == wire::BLOCKER;
  return Sentence(Labelled(SeverityName(blocker ? wire::BLOCKER : wire::WARNING, language), head),
                  std::string(kLabelWidth, ' '), a.message, width, blocker ? kAnsiBlocker : kAnsiAlert);
}

// "… 2 more blockers, 1 more warning": the shown anomalies that found no room.
std::string MoreText(size_t blockers, size_t warnings, Language language) {
  const bool zh = language == Language::kZh;
  std::string more = zh ? "… 另有 " : "… ";
  if (blockers > 0) more += Count(blockers, language, "阻断", "more blocker", "more blockers");
  if (warnings > 0) {
    more += blockers == 0 ? "" : zh ? "、" : ", ";
    more += Count(warnings, language, "警告", "more warning", "more warnings");
  }
  return more;
}

}  // namespace

ConsoleFrame RenderConsole(const ConsoleState& s, const RenderOptions& o) {
  auto line = [&](std::string text, std::string_view style = {}) {
    return Line{Truncate(TerminalSafe(text), o.width), style};
  };
  const Words& w = WordsOf(s.language);
  std::string header = std::string(w.station) + std::to_string(s.station) + std::string(w.last_event) +
                       std::to_string(s.last_seq);
  if (s.coordinator_silent_s) {
    header += std::string(w.coordinator_silent) + std::to_string(*s.coordinator_silent_s) + std::string(w.seconds);
  }

  std::vector<Line> top = {
      line(header, s.coordinator_silent_s ? kAnsiHeaderWarning : kAnsiHeader),
      line(Labelled(w.class_label, ProgressText(s))),
      line(Labelled(w.code_label, s.last_code ? StudentText(s.last_code->masked_name, s.last_code->registry_no, s.language)
                                              : std::string(w.none_yet))),
      line(Labelled(w.shot_label,
                    s.last_shot ? ShotText(s.last_shot->number, s.last_shot->file) : std::string(w.none_yet))),
      line(Labelled(w.open_label, OpenText(s))),
  };
  std::vector<Line> bottom = Sentence("", Labelled(w.last_label, ""), s.news.empty() ? w.nothing_yet : s.news,
                                      o.width, s.news_is_alert ? kAnsiAlert : std::string_view{});
  if (s.typing_here) {
    // Room for the cursor after the text.
    const size_t room = o.width == 0 ? 0 : std::max<size_t>(o.width, 4) - 3;
    bottom.push_back({"> " + TruncateLeft(TypingText(s.typing, s.language), room), {}, true});
    bottom.push_back(line(std::string(w.marks) + std::string(kMarkForms), kAnsiDim));
  }

  std::vector<const ConsoleAnomaly*> shown;
  std::vector<std::vector<Line>> entries;
  size_t entry_lines = 0;
  for (const ConsoleAnomaly& a : s.open) {
    if (!Shown(a)) continue;
    shown.push_back(&a);
    entries.push_back(AnomalyLines(a, o.width, s.language));
    entry_lines += entries.back().size();
  }
  size_t room = std::numeric_limits<size_t>::max();
  if (o.max_lines != 0) {
    // The hint goes first when the anomalies need its line.
    if (s.typing_here && top.size() + bottom.size() + entry_lines > o.max_lines) bottom.pop_back();
    room = o.max_lines - std::min(o.max_lines, top.size() + bottom.size());
  }

  ConsoleFrame frame;
  std::vector<Line> all = std::move(top);
  for (size_t i = 0; i < entries.size(); ++i) {
    const size_t reserve = i + 1 < entries.size() ? 1 : 0;  // for the "more" line
    if (entries[i].size() + reserve > room) {
      const size_t more_blockers = static_cast<size_t>(std::count_if(
          shown.begin() + static_cast<std::ptrdiff_t>(i), shown.end(),
          [](const ConsoleAnomaly* a) { return a->severity == wire::BLOCKER; }));
      const size_t more_warnings = shown.size() - i - more_blockers;
      if (room > 0) {
        all.push_back(line(MoreText(more_blockers, more_warnings, s.language),
                           more_blockers > 0 ? kAnsiBlocker : kAnsiAlert));
      }
      break;
    }
    room -= entries[i].size();
    all.insert(all.end(), entries[i].begin(), entries[i].end());
  }
  all.insert(all.end(), bottom.begin(), bottom.end());

  for (const Line& l : all) {
    if (!o.ansi) {
      frame.lines.push_back(l.text);
    } else if (l.prompt) {
      frame.lines.push_back(l.text + std::string(kAnsiCursor));
    } else {
      frame.lines.push_back(l.style.empty() ? l.text
                                            : std::string(l.style) + l.text + std::string(kAnsiReset));
    }
  }
  frame.bell = o.ansi && s.unrung_blockers > 0;
  return frame;
}

std::string PaintFrame(const ConsoleFrame& frame, const Screen& screen) {
  auto at_row = [](size_t row) { return "\x1b[" + std::to_string(row) + ";1H"; };
  const size_t height = BlockHeight(frame.lines.size(), screen.rows);
  const bool reshaped = height != screen.previous_height;
  std::string out = "\x1b" "7";  // DECSC: save the cursor
  // DECSTBM: the rows below the block scroll; the block stays. It homes the cursor.
  if (reshaped && height < screen.rows) out += "\x1b[" + std::to_string(height + 1) + ";" + std::to_string(screen.rows) + "r";
  for (size_t i = 0; i < height; ++i) out += at_row(i + 1) + frame.lines[i] + "\x1b[K";
  for (size_t i = height; i < screen.previous_height; ++i) out += at_row(i + 1) + "\x1b[2K";
  // A saved cursor may lie where the block now is: output then goes below it.
  out += reshaped ? at_row(screen.rows) : "\x1b" "8";
  if (frame.bell) out += kBell;
  return out;
}

size_t BlockHeight(size_t lines, size_t rows) {
  // Two rows at least stay for the logs' scrolling region.
  return std::min(lines, rows > 2 ? rows - 2 : rows);
}

std::string OpenScreen() { return "\x1b[?25l\x1b[H\x1b[2J"; }

std::string CloseScreen(const Screen& screen) {
  return "\x1b[r\x1b[" + std::to_string(screen.rows) + ";1H\r\n\x1b[?25h";
}

}  // namespace capture::agent
