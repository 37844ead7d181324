// The operator's console as pure functions: what ConsoleState keeps, how it is drawn, and the
// line editor behind the typing line.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/utf8.h"
#include "station-agent/console.h"
#include "station-agent/console_state.h"
#include "station-agent/input.h"

namespace capture::agent {
namespace {

using Lines = std::vector<std::string>;

wire::CaptureEvent CodeRead(uint64_t seq, const std::string& registry_no, const std::string& masked_name) {
  wire::CaptureEvent ev;
  ev.set_station(1);
  ev.set_seq(seq);
  ev.set_kind(wire::CODE_READ);
  ev.mutable_code()->set_registry_no(registry_no);
  ev.mutable_code()->set_masked_name(masked_name);
  return ev;
}

wire::CaptureEvent ShotTaken(uint64_t seq, uint32_t number, const std::string& file) {
  wire::CaptureEvent ev;
  ev.set_station(1);
  ev.set_seq(seq);
  ev.set_kind(wire::SHOT_TAKEN);
  ev.mutable_shot()->set_shot_number(number);
  ev.mutable_shot()->set_file_name(file);
  return ev;
}

wire::Anomaly Raised(const std::string& id, wire::Severity severity, wire::Anomaly::Kind kind,
                     const std::string& shot, const std::string& message, uint32_t station = 1) {
  wire::Anomaly a;
  a.set_id(id);
  a.set_severity(severity);
  a.set_kind(kind);
  a.set_station(station);
  a.add_shots(shot);
  a.set_message(message);
  return a;
}

wire::Verdict Raising(std::vector<wire::Anomaly> anomalies) {
  wire::Verdict v;
  for (wire::Anomaly& a : anomalies) *v.add_raised() = std::move(a);
  return v;
}

wire::Verdict Resolving(const std::string& id, uint32_t station = 1) {
  wire::Verdict v;
  wire::Resolution* r = v.add_resolved();
  r->set_anomaly_id(id);
  r->set_station(station);
  r->set_by("station-1");
  r->set_reason("test shot");
  return v;
}

wire::StationProgress Progress(const std::string& klass, uint32_t done, uint32_t expected, uint32_t photographed,
                               uint32_t station = 1) {
  wire::StationProgress p;
  p.set_station(station);
  p.set_current_class(klass);
  p.set_class_done(done);
  p.set_class_expected(expected);
  p.set_photographed(photographed);
  return p;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

// In English, as these tests read it; ConsoleInChinese below is the default's.
ConsoleState FreshState() {
  ConsoleState s;
  s.station = 1;
  s.language = Language::kEn;
  return s;
}

const std::string kBlockerMessage = "IMG_0002.JPG was taken with no code read for it: void it or retake it.";

// A station in the middle of a class with one blocker and one warning open, the operator typing.
ConsoleState BusyState() {
  ConsoleState s = FreshState();
  s.Event(CodeRead(4, "10421202110100010001", "张*明"));
  s.Event(ShotTaken(5, 1, "IMG_0001.JPG"));
  s.Progress(Progress("汉语言文学2101", 1, 6, 1));
  s.Verdict(Raising({Raised("A1", wire::BLOCKER, wire::Anomaly::SHOT_WITHOUT_CODE, "IMG_0002.JPG", kBlockerMessage),
                     Raised("A2", wire::WARNING, wire::Anomaly::OUT_OF_ORDER, "IMG_0001.JPG", "out of order")}));
  s.typing_here = true;
  s.typing = "!resolve A1 bl";
  return s;
}

bool HasBlockerStyle(const Lines& lines) {
  for (const std::string& l : lines) {
    if (l.find(kAnsiBlocker) != std::string::npos) return true;
  }
  return false;
}

// No byte that could drive a terminal: C0 controls, DEL, C1 controls (UTF-8 C2 80..C2 9F), or a
// direction override (U+202E is E2 80 AE).
void ExpectInert(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    ASSERT_FALSE(c < 0x20 || c == 0x7f) << "control byte " << int(c) << " at " << i << " in: " << text;
    if (c == 0xC2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      ASSERT_FALSE(next >= 0x80 && next <= 0x9F) << "C1 control at " << i << " in: " << text;
    }
  }
  EXPECT_EQ(text.find("\xE2\x80\xAE"), std::string::npos) << text;
}

TEST(ConsoleRender, PlainLinesOfAFreshStation) {
  EXPECT_EQ(RenderConsole(FreshState(), {}).lines, (Lines{
                                                        "station 1 · last event #0",
                                                        "class    waiting for the coordinator's count",
                                                        "code     none yet",
                                                        "shot     none yet",
                                                        "open     no open anomalies",
                                                        "last     nothing yet",
                                                    }));
}

TEST(ConsoleRender, PlainLinesShowProgressLastCodeAndShotAndEachOpenBlocker) {
  const ConsoleFrame frame = RenderConsole(BusyState(), {});
  EXPECT_EQ(frame.lines, (Lines{
                             "station 1 · last event #5",
                             "class    汉语言文学2101: 1 of 6 photographed · 1 at this station",
                             "code     张*明 …0001",
                             "shot     0001 IMG_0001.JPG",
                             "open     2 anomalies, 1 blocker",
                             "BLOCKER  A1 SHOT_WITHOUT_CODE IMG_0002.JPG",
                             "         " + kBlockerMessage,
                             "last     shot 0001 IMG_0001.JPG taken",
                             "> !resolve A1 bl",
                             "marks: " + std::string(kMarkForms),
                         }));
  EXPECT_FALSE(frame.bell) << "plain text has no bell";
}

// The default: the room's operators read Chinese. Every label, count and kind name is Chinese, the
// judge's message is its Chinese sentence, and labels of two-column characters keep the text aligned.
TEST(ConsoleInChinese, EveryLineIsChineseAndTheMessageIsTheJudgesChineseSentence) {
  ConsoleState s;
  s.station = 1;
  EXPECT_EQ(s.language, Language::kZh) << "Chinese is the default";
  s.Event(CodeRead(4, "10421202110100010001", "张*明"));
  s.Event(ShotTaken(5, 1, "IMG_0001.JPG"));
  s.Progress(Progress("汉语言文学2101", 1, 6, 1));
  wire::Anomaly blocker = Raised("A1", wire::BLOCKER, wire::Anomaly::SHOT_WITHOUT_CODE, "IMG_0002.JPG", kBlockerMessage);
  blocker.set_message_zh("照片 IMG_0002.JPG 在读到任何码之前就到达了。");
  s.Verdict(Raising({blocker, Raised("A2", wire::WARNING, wire::Anomaly::OUT_OF_ORDER, "IMG_0001.JPG", "out of order")}));
  s.typing_here = true;
  s.typing = "1042120211010";
  EXPECT_EQ(RenderConsole(s, {}).lines, (Lines{
                                            "机位 1 · 最后事件 #5",
                                            "班级     汉语言文学2101：已拍 1 / 6 人 · 本机位已拍 1",
                                            "码       张*明 …0001",
                                            "照片     0001 IMG_0001.JPG",
                                            "异常     2 个异常，1 个阻断",
                                            "阻断     A1 无码照片 IMG_0002.JPG",
                                            "         照片 IMG_0002.JPG 在读到任何码之前就到达了。",
                                            "最近     已拍照片 0001 IMG_0001.JPG",
                                            "> [正在读码：13 个字符]",
                                            "标记：" + std::string(kMarkForms),
                                        }));
  s.Verdict(Resolving("A1"));
  EXPECT_EQ(s.news, "A1 已由 station-1 解决：test shot");

  s.Verdict(Raising({Raised("A3", wire::BLOCKER, wire::Anomaly::SHOT_WITHOUT_CODE, "IMG_0003.JPG", "m")}));
  wire::Verdict by_judge = Resolving("A3");
  by_judge.mutable_resolved(0)->set_by("judge");
  by_judge.mutable_resolved(0)->set_reason("its shots were voided or replaced");
  by_judge.mutable_resolved(0)->set_reason_zh("相关照片已作废或被取代");
  s.Verdict(by_judge);
  EXPECT_EQ(s.news, "A3 已自动解决：相关照片已作废或被取代");
}

TEST(ConsoleInChinese, AnOperatorsTypoIsAWarningInChineseAndAMessageWithoutChineseFallsBackToEnglish) {
  ConsoleState s;
  s.station = 1;
  wire::CaptureEvent absent;
  absent.set_kind(wire::MARK_ABSENT);
  absent.set_seq(7);
  absent.set_student_no("202100199");
  s.Event(absent);
  EXPECT_EQ(s.news, "学生 202100199 已标记缺席");
  wire::Anomaly typo = Raised("A4", wire::WARNING, wire::Anomaly::UNKNOWN_STUDENT, "", "check the number and mark again.");
  typo.clear_shots();
  typo.add_seqs(7);
  s.Verdict(Raising({typo}));
  EXPECT_EQ(s.news, "警告 A4 名单外的学号：check the number and mark again.")
      << "a verdict judged before messages had a Chinese sentence shows the English one";
  const Lines lines = RenderConsole(s, {false, 0, 0}).lines;
  EXPECT_NE(std::find(lines.begin(), lines.end(), "警告     A4 名单外的学号"), lines.end()) << Joined(lines);
}

TEST(ConsoleInChinese, LinesFitTheWidth) {
  ConsoleState s;
  s.station = 1;
  wire::Anomaly blocker = Raised("A1", wire::BLOCKER, wire::Anomaly::STALE_CODE, "IMG_0002.JPG", "stale");
  blocker.set_message_zh("照片 IMG_0002.JPG 归给了 张*明 (…0001)，而其码是在 9 分钟 之前读的：如果被拍的是别人，请作废它（!void "
                         "IMG_0002.JPG）；如果不是，请标记重拍并重新拍照，或解决此异常。");
  s.Verdict(Raising({blocker}));
  for (const std::string& line : RenderConsole(s, {false, 40, 0}).lines) {
    EXPECT_LE(DisplayWidth(line), 40u) << line;
  }
}

TEST(ConsoleRender, ProgressBeforeTheFirstStudentSaysNoneYet) {
  ConsoleState s = FreshState();
  s.Progress(Progress("", 0, 0, 0));
  EXPECT_EQ(RenderConsole(s, {}).lines.at(1), "class    none yet · 0 at this station");
}

TEST(ConsoleRender, AnsiShowsABlockerInRedWithOneBellUntilItIsResolved) {
  ConsoleState s = BusyState();
  ConsoleFrame frame = RenderConsole(s, {true, 120, 30});
  EXPECT_TRUE(HasBlockerStyle(frame.lines));
  EXPECT_TRUE(frame.bell);
  const std::string painted = PaintFrame(frame, {30, 120, 0});
  EXPECT_NE(painted.find(kBell), std::string::npos);
  EXPECT_NE(painted.find(std::string(kAnsiBlocker) + "BLOCKER  A1 SHOT_WITHOUT_CODE"), std::string::npos) << painted;
  EXPECT_NE(painted.find(kBlockerMessage), std::string::npos);

  s.unrung_blockers = 0;  // the console rang it
  frame = RenderConsole(s, {true, 120, 30});
  EXPECT_TRUE(HasBlockerStyle(frame.lines)) << "the blocker stays until it is resolved";
  EXPECT_FALSE(frame.bell) << "the bell rings once per blocker";
  EXPECT_EQ(PaintFrame(frame, {30, 120, 10}).find(kBell), std::string::npos);

  s.Verdict(Resolving("A1"));
  frame = RenderConsole(s, {true, 120, 30});
  EXPECT_FALSE(HasBlockerStyle(frame.lines));
  EXPECT_FALSE(frame.bell);
  const std::string after = PaintFrame(frame, {30, 120, 10});
  EXPECT_EQ(after.find(kAnsiBlocker), std::string::npos);
  EXPECT_EQ(after.find(kBell), std::string::npos);
  EXPECT_EQ(after.find(kBlockerMessage), std::string::npos);
  EXPECT_NE(after.find("open     1 anomaly"), std::string::npos) << after;
  EXPECT_NE(after.find("A1 resolved by station-1: test shot"), std::string::npos) << after;
}

TEST(ConsoleRender, NeutralizesControlCharactersFromTheNetworkAndTheKeyboard) {
  ConsoleState s = FreshState();
  s.Progress(Progress("evil\x1b]0;pwned\x07\x1b[2J", 1, 2, 3));
  s.Event(CodeRead(1, "1042\x9b" "31m", "\xC2\x9B" "31m\xE2\x80\xAE"));
  s.Verdict(Raising({Raised("A1\r", wire::BLOCKER, wire::Anomaly::SHOT_WITHOUT_CODE, "IMG\b_0001.JPG",
                            "tab\there, newline\nthere, \x7f and bad UTF-8 \xff\xfe")}));
  s.Alert("mark not understood: !void \x1b[H");
  s.typing_here = true;
  s.typing = "!void \x1b[31m";
  for (const std::string& line : RenderConsole(s, {}).lines) ExpectInert(line);

  const Lines ansi = RenderConsole(s, {true, 200, 40}).lines;
  for (const std::string& line : ansi) {
    EXPECT_EQ(line.find("\x1b]"), std::string::npos) << line;
    EXPECT_EQ(line.find("\x1b[2J"), std::string::npos) << line;
    EXPECT_EQ(line.find("\x1b[H"), std::string::npos) << line;
    EXPECT_EQ(line.find("\x1b[31m"), std::string::npos) << line;
    EXPECT_EQ(line.find('\a'), std::string::npos) << line;
  }
  EXPECT_EQ(RenderConsole(s, {}).lines.at(1), "class    evil?]0;pwned??[2J: 1 of 2 photographed · 3 at this station");
}

TEST(ConsoleRender, ACodeBeingTypedShowsOnlyItsLength) {
  ConsoleState s = FreshState();
  s.typing_here = true;
  s.typing = "CC1.c2VjcmV0LWNvZGU";
  const Lines lines = RenderConsole(s, {}).lines;
  EXPECT_EQ(lines.at(lines.size() - 2), "> [code being read: 19 characters]");
  for (const std::string& line : lines) EXPECT_EQ(line.find("c2VjcmV0"), std::string::npos) << line;
}

TEST(ConsoleRender, LinesFitTheWidthCountingWideCharactersTwice) {
  ConsoleState s = BusyState();
  s.open.front().message = std::string(30, 'x') + " " + "照片与学生不符，请作废该照片并重新拍摄。" + std::string(200, 'y');
  const Lines lines = RenderConsole(s, {false, 40, 0}).lines;
  for (const std::string& line : lines) EXPECT_LE(DisplayWidth(line), 40u) << line;
  EXPECT_EQ(lines.at(1), "class    汉语言文学2101: 1 of 6 photogr…");
  // The message wraps over three lines at most, the last one cut.
  EXPECT_EQ(lines.at(6), "         " + std::string(30, 'x'));
  EXPECT_EQ(lines.at(8).substr(lines.at(8).size() - 3), "…");
  EXPECT_EQ(lines.at(9).rfind("last", 0), 0u);
  EXPECT_EQ(DisplayWidth("汉语a"), 5u);
}

TEST(ConsoleRender, AnAlertIsYellowAndWrapsSoTheWholeSentenceShows) {
  ConsoleState s = FreshState();
  s.Alert("mark not understood at line 3: '!voi 12'; the marks are !retake, !void, !absent, !resolve");
  const Lines lines = RenderConsole(s, {true, 40, 0}).lines;
  ASSERT_EQ(lines.size(), 8u);
  EXPECT_EQ(lines.at(5), std::string(kAnsiAlert) + "last     mark not understood at line 3:" + std::string(kAnsiReset));
  EXPECT_EQ(lines.at(6), std::string(kAnsiAlert) + "         '!voi 12'; the marks are" + std::string(kAnsiReset));
  EXPECT_EQ(lines.at(7), std::string(kAnsiAlert) + "         !retake, !void, !absent, !reso…" + std::string(kAnsiReset));
  s.Event(ShotTaken(1, 7, "IMG_0007.JPG"));
  EXPECT_EQ(RenderConsole(s, {true, 40, 0}).lines.at(5), "last     shot 0007 IMG_0007.JPG taken") << "news replaces it";
}

TEST(ConsoleRender, BlockersThatDoNotFitAreCounted) {
  ConsoleState s = FreshState();
  std::vector<wire::Anomaly> many;
  for (int i = 1; i <= 5; ++i) {
    many.push_back(Raised("A" + std::to_string(i), wire::BLOCKER, wire::Anomaly::DUPLICATE_SHOT, "IMG_000" + std::to_string(i) + ".JPG", "m"));
  }
  s.Verdict(Raising(many));
  s.typing_here = true;
  // 6 fixed lines and the prompt leave 5 rows of 12; each blocker takes 2.
  const Lines lines = RenderConsole(s, {false, 0, 12}).lines;
  ASSERT_EQ(lines.size(), 12u);
  EXPECT_EQ(lines.at(5), "BLOCKER  A1 DUPLICATE_SHOT IMG_0001.JPG");
  EXPECT_EQ(lines.at(7), "BLOCKER  A2 DUPLICATE_SHOT IMG_0002.JPG");
  EXPECT_EQ(lines.at(9), "… 3 more blockers");
  EXPECT_EQ(lines.at(11), "> ") << "the hint line gave its row to the blockers";
}

// `!absent 202100199` (on no roster) once showed only "marked absent": the operator never learned of
// the UNKNOWN_STUDENT it raised. A warning that some other event raised stays off the console.
TEST(ConsoleRender, AnAnomalyTheOperatorsOwnMarkRaisedShowsAtOnceAsAWarningWithItsFix) {
  ConsoleState s = FreshState();
  wire::CaptureEvent absent;
  absent.set_kind(wire::MARK_ABSENT);
  absent.set_seq(7);
  absent.set_student_no("202100199");
  s.Event(absent);
  EXPECT_EQ(s.news, "student 202100199 marked absent");
  wire::Anomaly typo = Raised("A4", wire::WARNING, wire::Anomaly::UNKNOWN_STUDENT, "", "check the number and mark again.");
  typo.clear_shots();
  typo.add_seqs(7);
  wire::Anomaly other = Raised("A5", wire::WARNING, wire::Anomaly::MISSING_STUDENT, "", "not the operator's doing");
  other.clear_shots();
  other.add_seqs(3);
  s.Verdict(Raising({typo, other}));

  EXPECT_TRUE(s.news_is_alert);
  EXPECT_EQ(s.news, "WARNING A4 UNKNOWN_STUDENT: check the number and mark again.");
  const Lines lines = RenderConsole(s, {false, 0, 0}).lines;
  EXPECT_NE(std::find(lines.begin(), lines.end(), "WARNING  A4 UNKNOWN_STUDENT"), lines.end()) << Joined(lines);
  EXPECT_NE(std::find(lines.begin(), lines.end(), "         check the number and mark again."), lines.end())
      << Joined(lines);
  EXPECT_EQ(Joined(lines).find("A5"), std::string::npos) << Joined(lines);
  EXPECT_EQ(s.unrung_blockers, 0u) << "a warning rings no bell";

  s.Verdict(Resolving("A4"));
  EXPECT_EQ(Joined(RenderConsole(s, {false, 0, 0}).lines).find("WARNING  A4"), std::string::npos);
}

TEST(ConsoleRender, PaintKeepsTheBlockOnTopAndTheRowsBelowScrolling) {
  const ConsoleFrame frame{{"one", "two"}, false};
  const std::string first = PaintFrame(frame, {24, 80, 0});
  EXPECT_EQ(first, "\x1b" "7\x1b[3;24r\x1b[1;1Hone\x1b[K\x1b[2;1Htwo\x1b[K\x1b[24;1H");
  // Same height: no new scrolling region, and the cursor goes back where the logs were.
  EXPECT_EQ(PaintFrame(frame, {24, 80, 2}), "\x1b" "7\x1b[1;1Hone\x1b[K\x1b[2;1Htwo\x1b[K\x1b" "8");
  // A shorter block clears the row it gave back.
  const std::string shorter = PaintFrame(ConsoleFrame{{"one"}, true}, {24, 80, 2});
  EXPECT_EQ(shorter, "\x1b" "7\x1b[2;24r\x1b[1;1Hone\x1b[K\x1b[2;1H\x1b[2K\x1b[24;1H\a");
}

TEST(ConsoleState, TakesOnlyItsOwnStationsNewsAndForgetsResolvedAnomalies) {
  ConsoleState s = FreshState();
  s.Progress(Progress("英语2101", 1, 2, 3, /*station=*/2));
  EXPECT_FALSE(s.progress.has_value());
  s.Verdict(Raising({Raised("A1", wire::BLOCKER, wire::Anomaly::SHOT_WITHOUT_CODE, "IMG_0001.JPG", "m", 2)}));
  EXPECT_TRUE(s.open.empty());
  EXPECT_EQ(s.unrung_blockers, 0u);
  s.Verdict(Raising({Raised("A2", wire::BLOCKER, wire::Anomaly::SHOT_WITHOUT_CODE, "IMG_0001.JPG", "m"),
                     Raised("A3", wire::INFO, wire::Anomaly::SHOT_NUMBER_GAP, "IMG_0009.JPG", "gap")}));
  EXPECT_EQ(s.open.size(), 2u);
  EXPECT_EQ(s.open_blockers(), 1u);
  EXPECT_EQ(s.unrung_blockers, 1u);
  s.Verdict(Resolving("A2", 2));  // another station's A2: not ours
  EXPECT_EQ(s.open.size(), 2u);
  s.Verdict(Resolving("A9"));  // raised before this agent started
  s.Verdict(Resolving("A2"));
  ASSERT_EQ(s.open.size(), 1u);
  EXPECT_EQ(s.open.front().id, "A3");
}

TEST(ConsoleState, AnAnomalyAlreadyOpenIsNotTakenAgain) {
  ConsoleState s = FreshState();
  const wire::Verdict raising = Raising({Raised("A2", wire::BLOCKER, wire::Anomaly::SHOT_WITHOUT_CODE, "IMG_0001.JPG", "m")});
  s.Verdict(raising);
  wire::Verdict open_after_hello = raising;
  open_after_hello.set_commit_index(0);
  s.Verdict(open_after_hello);
  ASSERT_EQ(s.open.size(), 1u);
  EXPECT_EQ(s.unrung_blockers, 1u) << "the bell rings once per blocker";
  s.Verdict(Resolving("A2"));
  EXPECT_TRUE(s.open.empty());
}

TEST(ConsoleState, NamesAStudentByMaskedNameAndTheEndOfTheRegistryNumber) {
  EXPECT_EQ(StudentText("张*明", "10421202110100010123", Language::kEn), "张*明 …0123");
  EXPECT_EQ(StudentText("", "123", Language::kEn), "a student 123");
  EXPECT_EQ(StudentText("", "123", Language::kZh), "一名学生 123");
}

TEST(LineEditor, EditsTheLineAsACanonicalTerminalWould) {
  LineEditor editor(64);
  EXPECT_EQ(editor.Feed("!void 12"), "");
  EXPECT_EQ(editor.pending(), "!void 12");
  EXPECT_EQ(editor.Feed("\x7f" "3\r"), "!void 13\n");
  EXPECT_EQ(editor.pending(), "");
  EXPECT_EQ(editor.Feed("\n"), "") << "CR LF ends one line";
  EXPECT_EQ(editor.Feed("汉\x7f!absent 1\b2"), "");
  EXPECT_EQ(editor.pending(), "!absent 2") << "backspace takes a whole UTF-8 character";
  EXPECT_EQ(editor.Feed("\x15!retake\x1b[D\x1bOA\x1b" "x\x01\n"), "!retake\n") << "Ctrl-U, arrows, controls";
  EXPECT_EQ(editor.Feed("a\nb\n"), "a\nb\n");
}

TEST(LineEditor, KeepsOneByteMoreThanTheLimitOfAnOverlongLine) {
  LineEditor editor(4);
  EXPECT_EQ(editor.Feed("abcdefgh\n"), "abcde\n");
}

}  // namespace
}  // namespace capture::agent
