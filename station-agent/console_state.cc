#include "station-agent/console_state.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "common/utf8.h"

namespace capture::agent {

namespace {

bool IsMark(wire::EventKind kind) {
  return kind == wire::MARK_VOID || kind == wire::MARK_RETAKE || kind == wire::MARK_ABSENT ||
         kind == wire::MARK_RESOLVE;
}

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::string StudentText(std::string_view masked_name, std::string_view registry_no, Language language) {
  // The end of a registry number is enough for the operator to tell students apart.
  constexpr size_t kShown = 4;
  const std::string_view end = LastChars(registry_no, kShown);
  const std::string tail = end.size() == registry_no.size() ? std::string(registry_no) : "…" + std::string(end);
  const std::string_view nobody = language == Language::kZh ? "一名学生" : "a student";
  return std::string(masked_name.empty() ? nobody : masked_name) + " " + tail;
}

std::string ShotText(uint32_t number, std::string_view file) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04u ", number);
  return buf + std::string(file);
}

void ConsoleState::Event(const wire::CaptureEvent& ev) {
  last_seq = std::max(last_seq, ev.seq());
  if (IsMark(ev.kind())) mark_seqs.insert(ev.seq());
  news_is_alert = false;
  const bool zh = language == Language::kZh;
  const std::string shot = ShotText(ev.shot().shot_number(), ev.shot().file_name());
  const std::string student = StudentText(ev.code().masked_name(), ev.code().registry_no(), language);
  switch (ev.kind()) {
    case wire::CODE_READ:
      last_code = ConsoleCode{ev.code().masked_name(), ev.code().registry_no()};
      news = (zh ? "已读码：" : "code read: ") + student;
      break;
    case wire::CODE_UNREADABLE:
      news = (zh ? "码读不出：" : "code unreadable: ") + ev.detail();
      news_is_alert = true;
      break;
    case wire::SHOT_TAKEN:
      last_shot = ConsoleShot{ev.shot().shot_number(), ev.shot().file_name()};
      news = zh ? "已拍照片 " + shot : "shot " + shot + " taken";
      break;
    case wire::MARK_VOID: news = zh ? "照片 " + shot + " 已作废" : "shot " + shot + " voided"; break;
    case wire::MARK_RETAKE: news = zh ? "已为 " + student + " 标记重拍" : "retake marked for " + student; break;
    case wire::MARK_ABSENT:
      news = zh ? "学生 " + ev.student_no() + " 已标记缺席" : "student " + ev.student_no() + " marked absent";
      break;
    case wire::MARK_RESOLVE:
      news = zh ? "已发送 " + ev.anomaly_id() + " 的解决：" + ev.detail()
                : "resolution of " + ev.anomaly_id() + " sent: " + ev.detail();
      break;
    default:
      news = zh ? "事件 " + std::to_string(ev.seq()) + " 已记入日志" : "event " + std::to_string(ev.seq()) + " journaled";
      break;
  }
}

void ConsoleState::Alert(std::string_view sentence) {
  news = std::string(sentence);
  news_is_alert = true;
}

void ConsoleState::Verdict(const wire::Verdict& verdict) {
  for (const wire::Anomaly& a : verdict.raised()) {
    // Open anomalies come again after each hello (commit index 0): each shows once.
    if (a.station() != station ||
        std::any_of(open.begin(), open.end(), [&](const ConsoleAnomaly& shown) { return shown.id == a.id(); })) {
      continue;
    }
    const bool from_operator =
        std::any_of(a.seqs().begin(), a.seqs().end(), [&](uint64_t seq) { return mark_seqs.count(seq) > 0; });
    // A verdict of rules before version 3 has no Chinese message: the English one is better than none.
    const std::string message = Bilingual{a.message(), a.message_zh()}.In(language);
    const ConsoleAnomaly& shown = open.emplace_back(ConsoleAnomaly{
        a.id(), a.severity(), std::string(KindName(a.kind(), language)), {a.shots().begin(), a.shots().end()},
        message, from_operator});
    if (a.severity() == wire::BLOCKER) ++unrung_blockers;
    if (from_operator && a.severity() != wire::BLOCKER) {
      // The mark's own line said what was sent; this says that it was wrong, and how to mend it.
      news = std::string(SeverityName(wire::WARNING, language)) + " " + shown.id + " " + shown.kind +
             (language == Language::kZh ? "：" : ": ") + shown.message;
      news_is_alert = true;
    }
  }
  for (const wire::Resolution& r : verdict.resolved()) {
    if (r.station() != station) continue;
    const auto it = std::find_if(open.begin(), open.end(), [&](const auto& a) { return a.id == r.anomaly_id(); });
    if (it == open.end()) continue;  // raised before this agent started: it never showed
    open.erase(it);
    if (language == Language::kZh) {
      // The judge gives its reason in both languages; a person's is as they typed it.
      const std::string why = Bilingual{r.reason(), r.reason_zh()}.In(language);
      news = r.anomaly_id() + (r.by() == "judge" ? " 已自动解决" : " 已由 " + r.by() + " 解决") +
             (why.empty() ? "" : "：" + why);
    } else {
      news = r.anomaly_id() + " resolved by " + r.by() + (r.reason().empty() ? "" : ": " + r.reason());
    }
    news_is_alert = false;
  }
}

void ConsoleState::Progress(const wire::StationProgress& p) {
  if (p.station() == station) progress = p;
}

size_t ConsoleState::open_blockers() const {
  return static_cast<size_t>(
      std::count_if(open.begin(), open.end(), [](const ConsoleAnomaly& a) { return a.severity == wire::BLOCKER; }));
}

std::string LineEditor::Feed(std::string_view bytes) {
  std::string lines;
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    const bool was_after_cr = std::exchange(after_cr_, false);
    if (escape_ == Escape::kStart) {
      // ESC [ and ESC O open a sequence (CSI, SS3); ESC and one other byte is the whole of it.
      escape_ = c == '[' || c == 'O' ? Escape::kSequence : Escape::kNone;
      continue;
    }
    if (escape_ == Escape::kSequence) {
      if (u >= 0x40 && u <= 0x7E) escape_ = Escape::kNone;  // the final byte
      continue;
    }
    switch (c) {
      case '\x1b': escape_ = Escape::kStart; break;
      case '\r':
      case '\n':
        if (c == '\n' && was_after_cr) break;
        after_cr_ = c == '\r';
        lines += std::exchange(pending_, {});
        lines += '\n';
        break;
      case '\x7f':
      case '\b':
        while (!pending_.empty() && IsContinuationByte(pending_.back())) pending_.pop_back();
        if (!pending_.empty()) pending_.pop_back();
        break;
      case '\x15': pending_.clear(); break;  // Ctrl-U
      default:
        if (u < 0x20) break;
        if (pending_.size() <= max_line_) pending_ += c;
        break;
    }
  }
  return lines;
}

}  // namespace capture::agent
