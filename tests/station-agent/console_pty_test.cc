// The operator's console of the real station-agent with the real coordinator: under a
// pseudo-terminal it draws the station's state and shows a blocker within a second; with stdout
// a pipe, the output stays the line protocol.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/collection_code.h"
#include "common/fs.h"
#include "common/time_format.h"
#include "coordinator/control_client.h"
#include "station-agent/console.h"
#include "tests/station-agent/test_support.h"
#include "tools/capture-sim/kit.h"
#include "tools/capture-sim/process.h"

namespace capture::agent::testing {
namespace {

constexpr auto kWait = 10s;
constexpr int kRows = 50;
constexpr int kCols = 300;  // wide enough for a whole anomaly message on one line
const std::string kClass = "汉语言文学2101";

struct Student {
  std::string registry_no;
  std::string masked_name;
  std::string name;  // the roster's: must never reach the station
};

// A coordinator judging one class of six at station 1, scheduled all day today (UTC).
class Room {
 public:
  Room() : key_(GenerateSiteKey()) {
    const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    day_ = FormatIso8601(now).substr(0, 10);
    std::string roster = "student_no,registry_no,college,class,name,masked_name\n";
    for (int i = 1; i <= 6; ++i) {
      const std::string n = std::to_string(i);
      Student s{"104212021101000" + n, "张*" + n, "张小" + n};
      roster += "202110100" + n + "," + s.registry_no + ",文学院," + kClass + "," + s.name + "," + s.masked_name + "\n";
      students_.push_back(std::move(s));
    }
    const std::string schedule = "station,college,class,headcount,start,end\n1,文学院," + kClass + ",6,00:00,23:59\n";
    if (!WriteFileDurably(dir_ / "schedule.csv", schedule).ok() || !WriteFileDurably(dir_ / "roster.csv", roster).ok() ||
        !SaveSiteKey(dir_ / "site.key", key_).ok() || !MakeDirs(dir_ / "camera").ok() ||
        !sim::WriteStationKeys(dir_.path(), {1}).ok()) {
      throw std::runtime_error("cannot write the room's files under " + dir_.path());
    }
  }

  void StartCoordinator() {
    auto child = sim::ChildProcess::Spawn({CAPTURE_BIN_DIR "/coordinator", "--schedule", dir_ / "schedule.csv",
                                           "--roster", dir_ / "roster.csv", "--store", dir_ / "store", "--day", day_,
                                           "--tz", "UTC", "--events", "tcp://127.0.0.1:*", "--control",
                                           "tcp://127.0.0.1:*", "--station-keys", dir_ / sim::kStationKeysFile},
                                          dir_ / "coordinator.log");
    ASSERT_TRUE(child.ok()) << child.status().message();
    coordinator_ = std::move(*child);
    auto ready = coordinator_->WaitForLine([](const std::string& l) { return l.rfind("ready ", 0) == 0; }, kWait,
                                           "the coordinator's ready line");
    ASSERT_TRUE(ready.ok()) << ready.status().message();
    events_ = Field(*ready, "events");
    auto control = coord::RegistrarEndpoint(Field(*ready, "control"), dir_ / "store");
    ASSERT_TRUE(control.ok()) << control.status().message();
    control_ = std::move(*control);
  }

  // `language`: the --lang flag's value; empty: none (the console's default, Chinese).
  std::vector<std::string> AgentArgs(const std::string& language = "en") const {
    std::vector<std::string> args = {"--station", "1", "--camera-dir", dir_ / "camera", "--create-camera-dir",
                                     "--journal", dir_ / "journal",
                                     "--site-key", dir_ / "site.key", "--events", events_, "--control", control_.address};
    if (!language.empty()) args.insert(args.end(), {"--lang", language});
    for (std::string& flag : sim::AgentKeyFlags(dir_.path(), 1, dir_ / "store/coordinator.pub")) args.push_back(flag);
    return args;
  }

  // Written in one go and closed, as a tethered camera does.
  void DropShot(int number) {
    char name[32];
    std::snprintf(name, sizeof name, "IMG_%04d.JPG", number);
    WriteFile(dir_ / ("camera/" + std::string(name)), MakeJpeg(static_cast<uint32_t>(number)));
  }

  std::string Code(int student) const {
    const Student& s = students_.at(static_cast<size_t>(student - 1));
    return MintDemoCode(key_, s.registry_no, s.masked_name);
  }
  const std::vector<Student>& students() const { return students_; }

  // The coordinator's message of an open anomaly (`field`: "message", or "message_zh" for Chinese).
  std::string OpenAnomalyMessage(const std::string& id, const std::string& field = "message") const {
    wire::ExportRequest request;
    request.set_what(wire::ExportRequest::ANOMALIES);
    request.set_open_only(true);
    auto reply = coord::RequestExport(control_, request, 5000);
    if (!reply.ok()) return "(no export: " + reply.status().message() + ")";
    for (size_t start = 0, end; start < reply->text().size(); start = end + 1) {
      end = reply->text().find('\n', start);
      if (end == std::string::npos) end = reply->text().size();
      const auto anomaly = nlohmann::json::parse(reply->text().substr(start, end - start));
      if (anomaly.at("id") == id) return anomaly.at(field).get<std::string>();
    }
    return "(" + id + " is not open)";
  }

  std::string path(const std::string& name) const { return dir_ / name; }

 private:
  TempDir dir_;
  SiteKey key_;
  std::string day_;
  std::vector<Student> students_;
  std::unique_ptr<sim::ChildProcess> coordinator_;
  std::string events_;
  coord::ControlEndpoint control_;
};

// The station-agent with a pseudo-terminal as its stdin and stdout (stderr to a log file). The
// test keeps the terminal's slave side open too, to read its settings after the agent is gone.
class PtyAgent {
 public:
  PtyAgent(std::vector<std::string> args, const std::string& stderr_log) {
    winsize size{};
    size.ws_row = kRows;
    size.ws_col = kCols;
    if (::openpty(&master_, &slave_, nullptr, nullptr, &size) != 0) throw std::runtime_error("openpty failed");
    ::fcntl(master_, F_SETFD, FD_CLOEXEC);
    ::fcntl(slave_, F_SETFD, FD_CLOEXEC);
    args.insert(args.begin(), CAPTURE_BIN_DIR "/station-agent");
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int log = ::open(stderr_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::setsid();
      ::ioctl(slave_, TIOCSCTTY, 0);
      ::dup2(slave_, STDIN_FILENO);
      ::dup2(slave_, STDOUT_FILENO);
      ::dup2(log, STDERR_FILENO);
      ::setenv("TERM", "xterm", 1);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(log);
  }

  ~PtyAgent() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(master_);
    ::close(slave_);
  }

  void Type(std::string_view bytes) {
    ASSERT_EQ(::write(master_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }

  // Reads the terminal until `holds(this)` or the timeout; returns whether it held.
  bool ReadUntil(const std::function<bool(const PtyAgent&)>& holds, std::chrono::milliseconds timeout = kWait) {
    const auto deadline = Clock::now() + timeout;
    while (!holds(*this)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      pollfd p{master_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[65536];
      const ssize_t n = ::read(master_, buf, sizeof buf);
      if (n <= 0) return false;
      output_.append(buf, static_cast<size_t>(n));
    }
    return true;
  }

  // The last complete drawing of the block: a drawing starts with ESC 7 and ends by putting the
  // cursor back (ESC 8) or at the bottom row, maybe ringing the bell after.
  std::string LastDrawing() const {
    const std::string bottom = "\x1b[" + std::to_string(kRows) + ";1H";
    for (size_t end = output_.size(); end != std::string::npos && end > 0;) {
      const size_t start = output_.rfind("\x1b" "7", end - 1);
      if (start == std::string::npos) break;
      std::string drawing = output_.substr(start, end - start);
      std::string body = drawing;
      if (!body.empty() && body.back() == '\a') body.pop_back();
      if (body.ends_with("\x1b" "8") || body.ends_with(bottom)) return drawing;
      end = start;
    }
    return "";
  }
  bool Shows(const std::string& text) const { return LastDrawing().find(text) != std::string::npos; }

  const std::string& output() const { return output_; }
  int slave() const { return slave_; }
  pid_t pid() const { return pid_; }

  std::optional<int> Wait(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      }
      if (Clock::now() >= deadline) return std::nullopt;
      std::this_thread::sleep_for(5ms);  // polling a condition with a deadline
    }
  }

 private:
  int master_ = -1;
  int slave_ = -1;
  pid_t pid_ = -1;
  std::string output_;
};

size_t Count(const std::string& text, char c, size_t from = 0) {
  return static_cast<size_t>(std::count(text.begin() + static_cast<std::ptrdiff_t>(from), text.end(), c));
}

TEST(ConsoleOnATerminal, ShowsABlockerInRedWithABellWithinASecondUntilItIsResolved) {
  Room room;
  ASSERT_NO_FATAL_FAILURE(room.StartCoordinator());
  PtyAgent agent(room.AgentArgs(), room.path("agent.log"));
  termios before{};
  ASSERT_EQ(::tcgetattr(agent.slave(), &before), 0);

  // The coordinator's progress reaches the console as soon as the agent says hello.
  ASSERT_TRUE(agent.ReadUntil([](const PtyAgent& a) { return a.Shows("class    none yet · 0 at this station"); }))
      << agent.output();
  EXPECT_TRUE(agent.Shows("station 1 · last event #0"));
  EXPECT_TRUE(agent.Shows("open     no open anomalies"));
  EXPECT_EQ(Count(agent.output(), '\a'), 0u);

  // An image without a code: SHOT_WITHOUT_CODE, a blocker.
  const size_t before_shot = agent.output().size();
  room.DropShot(1);
  const auto landed = Clock::now();
  const std::string red = std::string(kAnsiBlocker) + "BLOCKER  A1 SHOT_WITHOUT_CODE IMG_0001.JPG";
  ASSERT_TRUE(agent.ReadUntil([&](const PtyAgent& a) { return a.Shows(red); })) << agent.output();
  const auto shown_after = Clock::now() - landed;
  EXPECT_LT(shown_after, 1s) << std::chrono::duration_cast<std::chrono::milliseconds>(shown_after).count() << " ms";
  EXPECT_EQ(Count(agent.output(), '\a', before_shot), 1u) << "one bell when the blocker appears";
  const std::string message = room.OpenAnomalyMessage("A1");
  EXPECT_TRUE(agent.Shows(std::string(kAnsiBlocker) + "         " + message)) << message << "\n" << agent.LastDrawing();
  EXPECT_TRUE(agent.Shows("open     1 anomaly, 1 blocker"));

  // The next student scans and is photographed: the code shows masked, never typed out, and the
  // coordinator's class count moves.
  agent.Type(room.Code(1) + "\r");
  ASSERT_TRUE(agent.ReadUntil([](const PtyAgent& a) { return a.Shows("code     张*1 …0001"); })) << agent.output();
  room.DropShot(2);
  ASSERT_TRUE(agent.ReadUntil([&](const PtyAgent& a) {
    return a.Shows("class    " + kClass + ": 1 of 6 photographed · 1 at this station");
  })) << agent.LastDrawing();
  EXPECT_TRUE(agent.Shows("shot     0002 IMG_0002.JPG"));
  EXPECT_TRUE(agent.Shows(red)) << "the blocker stays until it is resolved";

  // The operator resolves it from the console: the typed mark is echoed, then the blocker goes.
  agent.Type("!resolve A1 test shot");
  ASSERT_TRUE(agent.ReadUntil([](const PtyAgent& a) { return a.Shows("> !resolve A1 test shot"); })) << agent.LastDrawing();
  agent.Type("\r");
  ASSERT_TRUE(agent.ReadUntil([](const PtyAgent& a) { return a.Shows("A1 resolved by station-1: test shot"); }))
      << agent.LastDrawing();
  const std::string resolved = agent.LastDrawing();
  EXPECT_EQ(resolved.find(kAnsiBlocker), std::string::npos) << resolved;
  EXPECT_EQ(resolved.find("SHOT_WITHOUT_CODE"), std::string::npos) << resolved;
  EXPECT_NE(resolved.find("open     no open anomalies"), std::string::npos) << resolved;
  EXPECT_EQ(Count(agent.output(), '\a'), 1u);

  // Secrets and roster names never show.
  EXPECT_EQ(agent.output().find(room.Code(1)), std::string::npos) << "the raw code was echoed";
  for (const Student& s : room.students()) EXPECT_EQ(agent.output().find(s.name), std::string::npos) << s.name;

  // SIGTERM: a clean exit that gives the terminal back as it was.
  ::kill(agent.pid(), SIGTERM);
  ASSERT_EQ(agent.Wait(kWait), 0);
  ASSERT_TRUE(agent.ReadUntil([](const PtyAgent& a) { return a.output().ends_with("\x1b[?25h"); }, 2s))
      << "the cursor was not shown again";
  termios after{};
  ASSERT_EQ(::tcgetattr(agent.slave(), &after), 0);
  EXPECT_EQ(after.c_lflag & (ICANON | ECHO), before.c_lflag & (ICANON | ECHO));
  EXPECT_EQ(after.c_iflag & IXON, before.c_iflag & IXON);
}

// The drawing as a person reads it: escape sequences dropped, one line per row.
std::string PlainText(const std::string& drawing) {
  const std::string rows = std::regex_replace(drawing, std::regex("\x1b\\[[0-9;]*H"), "\n");
  return std::regex_replace(rows, std::regex("\x1b(\\[[0-9;?]*[A-Za-z]|[78])|\a"), "");
}

// The operator's own typos raise anomalies that only a warning at once can tell them of: a student
// number on no roster, an anomaly id that does not exist; and a code of another site cannot be
// mended by scanning again. The console says so, and the text is saved for the README.
TEST(ConsoleOnATerminal, ShowsTheOperatorsOwnMistakesAtOnceAsWarningsWithTheirFix) {
  Room room;
  ASSERT_NO_FATAL_FAILURE(room.StartCoordinator());
  PtyAgent agent(room.AgentArgs(), room.path("agent.log"));
  ASSERT_TRUE(agent.ReadUntil([](const PtyAgent& a) { return a.Shows("open     no open anomalies"); })) << agent.output();

  agent.Type("!absent 202100199\r");
  const std::string absent = std::string(kAnsiAlert) + "WARNING  A1 UNKNOWN_STUDENT";
  ASSERT_TRUE(agent.ReadUntil([&](const PtyAgent& a) { return a.Shows(absent); })) << agent.LastDrawing();
  EXPECT_TRUE(agent.Shows(room.OpenAnomalyMessage("A1"))) << agent.LastDrawing();
  EXPECT_TRUE(agent.Shows("check the number and mark again")) << agent.LastDrawing();

  agent.Type("!resolve A99 done\r");
  const std::string resolve = std::string(kAnsiAlert) + "WARNING  A2 UNKNOWN_ANOMALY";
  ASSERT_TRUE(agent.ReadUntil([&](const PtyAgent& a) { return a.Shows(resolve); })) << agent.LastDrawing();
  EXPECT_TRUE(agent.Shows("which is not an open anomaly: check the id")) << agent.LastDrawing();
  EXPECT_TRUE(agent.Shows(absent)) << "the first warning stays until it is resolved";

  agent.Type(MintDemoCode(GenerateSiteKey(), "1042120210000001", "张*") + "\r");
  ASSERT_TRUE(agent.ReadUntil([](const PtyAgent& a) { return a.Shows("send the student to the registrar"); }))
      << agent.LastDrawing();
  EXPECT_TRUE(agent.Shows("the code belongs to another site or year")) << agent.LastDrawing();

  const std::string text = PlainText(agent.LastDrawing());
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  ASSERT_TRUE(WriteFileDurably(CAPTURE_BIN_DIR "/../console-operator-mistakes.txt", text).ok());
  ::kill(agent.pid(), SIGTERM);
  EXPECT_EQ(agent.Wait(kWait), 0);
}

// Operators in this room read Chinese: without --lang the console says everything in Chinese, the
// judge's messages included (its Chinese sentence, from the same facts). The text is saved for the README.
TEST(ConsoleOnATerminal, SpeaksChineseByDefault) {
  Room room;
  ASSERT_NO_FATAL_FAILURE(room.StartCoordinator());
  PtyAgent agent(room.AgentArgs(""), room.path("agent.log"));
  ASSERT_TRUE(agent.ReadUntil([](const PtyAgent& a) { return a.Shows("班级     暂无 · 本机位已拍 0"); })) << agent.output();
  EXPECT_TRUE(agent.Shows("机位 1 · 最后事件 #0")) << agent.LastDrawing();
  EXPECT_TRUE(agent.Shows("异常     没有未解决的异常")) << agent.LastDrawing();

  // The agent's own alerts are Chinese too.
  agent.Type("!void\r");
  ASSERT_TRUE(agent.ReadUntil([](const PtyAgent& a) { return a.Shows("最近     !void：还没有可以作废的照片"); }))
      << agent.LastDrawing();
  agent.Type(MintDemoCode(GenerateSiteKey(), "1042120210000001", "张*") + "\r");  // A1, CODE_UNREADABLE
  ASSERT_TRUE(agent.ReadUntil([](const PtyAgent& a) { return a.Shows("采集码读不出：它不是本站点本年度的码"); }))
      << agent.LastDrawing();

  room.DropShot(1);
  const std::string red = std::string(kAnsiBlocker) + "阻断     A2 无码照片 IMG_0001.JPG";
  ASSERT_TRUE(agent.ReadUntil([&](const PtyAgent& a) { return a.Shows(red); })) << agent.LastDrawing();
  const std::string message = room.OpenAnomalyMessage("A2", "message_zh");
  EXPECT_NE(message.find("照片 IMG_0001.JPG 在读到任何码之前就到达了"), std::string::npos) << message;
  EXPECT_TRUE(agent.Shows(std::string(kAnsiBlocker) + "         " + message.substr(0, 40))) << agent.LastDrawing();
  EXPECT_TRUE(agent.Shows("异常     2 个异常，1 个阻断")) << agent.LastDrawing();

  agent.Type(room.Code(1) + "\r");
  ASSERT_TRUE(agent.ReadUntil([](const PtyAgent& a) { return a.Shows("码       张*1 …0001"); })) << agent.LastDrawing();
  room.DropShot(2);
  ASSERT_TRUE(agent.ReadUntil([&](const PtyAgent& a) {
    return a.Shows("班级     " + kClass + "：已拍 1 / 6 人 · 本机位已拍 1");
  })) << agent.LastDrawing();

  agent.Type("!absent 202100199\r");
  ASSERT_TRUE(agent.ReadUntil([](const PtyAgent& a) {
    return a.Shows(std::string(kAnsiAlert) + "警告     A3 名单外的学号");
  })) << agent.LastDrawing();
  EXPECT_TRUE(agent.Shows("请核对学号后重新标记")) << agent.LastDrawing();

  const std::string text = PlainText(agent.LastDrawing());
  for (const char* english : {"BLOCKER", "WARNING", "SHOT_WITHOUT_CODE", "station 1", "photographed"}) {
    EXPECT_EQ(text.find(english), std::string::npos) << english << " in\n" << text;
  }
  ASSERT_TRUE(WriteFileDurably(CAPTURE_BIN_DIR "/../console-zh.txt", text).ok());
  ::kill(agent.pid(), SIGTERM);
  EXPECT_EQ(agent.Wait(kWait), 0);
}

TEST(ConsoleOnAPipe, StdoutKeepsTheLineProtocol) {
  Room room;
  ASSERT_NO_FATAL_FAILURE(room.StartCoordinator());
  TempDir logs;
  AgentProcess agent(room.AgentArgs(), logs / "agent.log");  // stdout a pipe, --console auto
  std::vector<std::string> lines;
  ASSERT_TRUE(agent.WaitFor("ready ", kWait, &lines));
  room.DropShot(1);
  ASSERT_TRUE(agent.WaitFor("anomaly ", kWait, &lines));
  agent.WriteLine(room.Code(1));
  ASSERT_TRUE(agent.WaitFor("event station=1 seq=2 kind=CODE_READ", kWait, &lines));
  room.DropShot(2);
  ASSERT_TRUE(agent.WaitFor("event station=1 seq=3 kind=SHOT_TAKEN", kWait, &lines));
  // The coordinator's progress reached the agent (it logs a class change) and printed nothing.
  const auto deadline = Clock::now() + kWait;
  while (ReadFile(logs / "agent.log")->find("counts class '" + kClass + "'") == std::string::npos) {
    ASSERT_LT(Clock::now(), deadline) << "the agent never heard of its class: " << *ReadFile(logs / "agent.log");
    std::this_thread::sleep_for(5ms);  // polling a condition with a deadline
  }
  agent.WriteLine("!resolve A1 test shot");
  ASSERT_TRUE(agent.WaitFor("resolved ", kWait, &lines));
  agent.Signal(SIGTERM);
  ASSERT_EQ(agent.Wait(), 0);
  while (auto line = agent.ReadLine(2s)) lines.push_back(*line);

  const std::vector<std::string> patterns = {
      R"(ready station=1 epoch=[0-9a-f]{16} last_seq=0 key=[0-9a-f]{64})",
      R"(event station=1 seq=1 kind=SHOT_TAKEN shot=0001 file=IMG_0001\.JPG sha256=[0-9a-f]{64})",
      R"(anomaly station=1 id=A1 severity=BLOCKER kind=SHOT_WITHOUT_CODE shots=IMG_0001\.JPG registry_nos="" message=".+")",
      R"(event station=1 seq=2 kind=CODE_READ registry_no=1042120211010001 masked_name=张\*1)",
      R"(event station=1 seq=3 kind=SHOT_TAKEN shot=0002 file=IMG_0002\.JPG sha256=[0-9a-f]{64})",
      R"(event station=1 seq=4 kind=MARK_RESOLVE anomaly=A1 reason="test shot")",
      R"(resolved station=1 id=A1 by=station-1 reason="test shot")",
  };
  ASSERT_EQ(lines.size(), patterns.size()) << ::testing::PrintToString(lines);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_TRUE(std::regex_match(lines[i], std::regex(patterns[i]))) << lines[i];
    EXPECT_EQ(lines[i].find('\x1b'), std::string::npos) << lines[i];
  }
}

}  // namespace
}  // namespace capture::agent::testing
