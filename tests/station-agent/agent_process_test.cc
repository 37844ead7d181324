// The real station-agent binary, driven through its stdin, its camera folder and its sockets.
// No coordinator runs unless a test plays one; the agent must work the same without it.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/collection_code.h"
#include "common/frame.h"
#include "common/fs.h"
#include "common/sha256.h"
#include "common/time_format.h"
#include "common/transport.h"
#include "station-agent/journal.h"
#include "test_support.h"

namespace capture::agent {
namespace {

using namespace testing;
using namespace std::chrono_literals;

class AgentProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = GenerateSiteKey();
    ASSERT_TRUE(SaveSiteKey(dir_ / "site.key", key_).ok());
    ASSERT_TRUE(WritePublicKey(dir_ / "coordinator.pub", coordinator_identity_.public_key()).ok());
    ASSERT_TRUE(MakeDirs(camera_).ok());
    events_ = "tcp://127.0.0.1:" + std::to_string(UnusedPort());
    control_ = "tcp://127.0.0.1:" + std::to_string(UnusedPort());
  }

  // Starts the agent and waits for its ready line (returned in `ready` if given).
  std::unique_ptr<AgentProcess> Start(std::vector<std::string> extra = {}, std::string* ready = nullptr,
                                      std::vector<std::string>* before_ready = nullptr) {
    std::vector<std::string> args = {"--station", "2", "--camera-dir", camera_, "--journal", journal_,
                                     "--site-key", dir_ / "site.key", "--events", events_, "--control", control_,
                                     "--coordinator-key", dir_ / "coordinator.pub"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto agent = std::make_unique<AgentProcess>(args, dir_ / "agent.log");
    std::vector<std::string> seen;
    auto line = agent->WaitFor("ready ", 10s, &seen);
    EXPECT_TRUE(line.has_value()) << "no ready line; stderr in " << dir_ / "agent.log";
    if (ready != nullptr && line) *ready = *line;
    if (before_ready != nullptr) *before_ready = seen;
    return agent;
  }

  std::string Camera(std::string_view name) const { return camera_ + "/" + std::string(name); }

  // Every journaled event, read from the journal as another program would.
  std::vector<wire::CaptureEvent> JournalEvents() const {
    std::vector<wire::CaptureEvent> out;
    auto journal = Journal::Open(journal_, true);
    EXPECT_TRUE(journal.ok()) << journal.status().message();
    if (!journal.ok()) return out;
    EXPECT_TRUE((*journal)
                    ->ForEachEvent(1,
                                   [&](uint64_t, std::string_view bytes) {
                                     out.emplace_back().ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
                                     return true;
                                   })
                    .ok());
    return out;
  }

  std::string StoredImagePath(std::string_view bytes) const {
    const std::string hex = ToHex(ComputeSha256(bytes));
    return journal_ + "/images/" + hex.substr(0, 2) + "/" + hex + ".jpg";
  }

  TempDir dir_;
  SiteKey key_;
  const Identity coordinator_identity_ = Identity::Generate();  // the fake coordinator's, pinned by the agent
  std::string camera_ = dir_ / "camera";
  std::string journal_ = dir_ / "journal";
  std::string events_;
  std::string control_;
};

TEST_F(AgentProcessTest, ReadsAValidCodeAndNeverWritesTheRawCodeAnywhere) {
  auto agent = Start();
  const std::string code = MintDemoCode(key_, "1042120210001", "张*明");
  agent->WriteLine(code);
  auto line = agent->WaitFor("event ");
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(Field(*line, "kind"), "CODE_READ");
  EXPECT_EQ(Field(*line, "seq"), "1");
  EXPECT_EQ(Field(*line, "registry_no"), "1042120210001");
  EXPECT_EQ(Field(*line, "masked_name"), "张*明");
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(), 0);

  const std::string secret = code.substr(4);  // the sealed part after "CC1."
  EXPECT_EQ(line->find(secret), std::string::npos);
  EXPECT_EQ(ReadFile(dir_ / "agent.log").value().find(secret), std::string::npos);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(journal_)) {
    if (!entry.is_regular_file()) continue;
    EXPECT_EQ(ReadFile(entry.path().string()).value().find(secret), std::string::npos) << entry.path();
  }
}

TEST_F(AgentProcessTest, AnUnreadableCodeGivesAnAlertAndACodeUnreadableEvent) {
  auto agent = Start();
  agent->WriteLine("CC1.definitely-not-sealed-under-this-key");
  std::vector<std::string> seen;
  ASSERT_TRUE(agent->WaitFor("alert ", 10s, &seen).has_value());
  ASSERT_EQ(seen.size(), 2u) << "expected the event, then the alert";
  EXPECT_EQ(Field(seen[0], "kind"), "CODE_UNREADABLE");
  EXPECT_FALSE(Field(seen[0], "reason").empty());
  EXPECT_EQ(seen[1].find("definitely-not-sealed"), std::string::npos) << "the alert quotes the raw code";

  const auto events = JournalEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind(), wire::CODE_UNREADABLE);
  EXPECT_EQ(events[0].detail(), Field(seen[0], "reason"));
  EXPECT_EQ(events[0].detail().find("definitely-not-sealed"), std::string::npos);
}

// Reading again mends a damaged read, but not a code of another site or year: the operator is told
// which of the two it is, and what to do.
TEST_F(AgentProcessTest, ACodeOfAnotherSiteSendsTheStudentToTheRegistrarWhileADamagedOneIsScannedAgain) {
  auto agent = Start();
  agent->WriteLine(MintDemoCode(GenerateSiteKey(), "1042120210000001", "张*"));
  std::vector<std::string> seen;
  auto other_site = agent->WaitFor("alert ", 10s, &seen);
  ASSERT_TRUE(other_site.has_value());
  EXPECT_NE(other_site->find("the code belongs to another site or year"), std::string::npos) << *other_site;
  EXPECT_NE(other_site->find("Scanning it again cannot help: send the student to the registrar"), std::string::npos)
      << *other_site;
  EXPECT_EQ(other_site->find("scan it again before"), std::string::npos) << *other_site;

  agent->WriteLine("CC1.%%%damaged%%%");
  auto damaged = agent->WaitFor("alert ", 10s, &seen);
  ASSERT_TRUE(damaged.has_value());
  EXPECT_NE(damaged->find("damaged"), std::string::npos) << *damaged;
  EXPECT_NE(damaged->find("Have the student scan it again before the shot."), std::string::npos) << *damaged;
}

TEST_F(AgentProcessTest, MalformedMarksGiveAlertsAndTheAgentKeepsWorking) {
  auto agent = Start();
  for (const char* bad : {"!retake a b", "!bogus", "!absent", "!resolve X", "!time now", "!void 9999"}) {
    agent->WriteLine(bad);
    auto alert = agent->ReadLine(10s);
    ASSERT_TRUE(alert.has_value()) << bad;
    EXPECT_EQ(alert->rfind("alert station=2 ", 0), 0u) << *alert;
  }
  agent->WriteLine("!absent 202100101");
  auto line = agent->ReadLine(10s);
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(Field(*line, "kind"), "MARK_ABSENT");
  EXPECT_EQ(Field(*line, "seq"), "1") << "no event was journaled for the malformed marks";
  EXPECT_EQ(Field(*line, "student_no"), "202100101");
}

TEST_F(AgentProcessTest, AnImageWithoutAShotNumberGivesAnAlertAndIsKeptButNotAShot) {
  auto agent = Start();
  const std::string jpeg = MakeJpeg(1);
  WriteFile(Camera("portrait.jpg"), jpeg);
  auto alert = agent->ReadLine(10s);
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(alert->rfind("alert station=2 ", 0), 0u) << *alert;
  EXPECT_NE(alert->find("portrait.jpg"), std::string::npos) << *alert;
  EXPECT_TRUE(std::filesystem::exists(StoredImagePath(jpeg)));
  EXPECT_TRUE(JournalEvents().empty());
}

TEST_F(AgentProcessTest, ARawTwinIsNotAShot) {
  auto agent = Start();
  WriteFile(Camera("IMG_0007.CR2"), "raw sensor data");
  const std::string jpeg = MakeJpeg(7);
  WriteFile(Camera("IMG_0007.JPG"), jpeg);
  auto line = agent->ReadLine(10s);
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(Field(*line, "kind"), "SHOT_TAKEN") << "the RAW file gave a line before the JPEG: " << *line;
  EXPECT_EQ(Field(*line, "file"), "IMG_0007.JPG");
  EXPECT_FALSE(agent->ReadLine(300ms).has_value());
  EXPECT_EQ(JournalEvents().size(), 1u);
}

TEST_F(AgentProcessTest, AFileWrittenSlowlyInChunksGivesExactlyOneShotWithTheHashOfTheCompleteBytes) {
  auto agent = Start();
  const std::string jpeg = MakeJpeg(3, ExifSegment("2024:04:22 08:30:09", true), 30000);
  const int fd = ::open(Camera("IMG_0412.JPG").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  const size_t chunk = jpeg.size() / 4 + 1;
  for (size_t at = 0; at < jpeg.size(); at += chunk) {
    const size_t n = std::min(chunk, jpeg.size() - at);
    ASSERT_EQ(::write(fd, jpeg.data() + at, n), static_cast<ssize_t>(n));
    EXPECT_FALSE(agent->ReadLine(300ms).has_value()) << "the agent acted on a file still open for writing";
  }
  ::close(fd);
  auto line = agent->ReadLine(10s);
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(Field(*line, "kind"), "SHOT_TAKEN");
  EXPECT_EQ(Field(*line, "shot"), "0412");
  EXPECT_EQ(Field(*line, "sha256"), ToHex(ComputeSha256(jpeg)));
  EXPECT_FALSE(agent->ReadLine(300ms).has_value()) << "a second line for the same image";
  const auto events = JournalEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].shot().size_bytes(), jpeg.size());
  EXPECT_EQ(ReadFile(StoredImagePath(jpeg)).value(), jpeg);
}

TEST_F(AgentProcessTest, AFileClosedBeforeItsEndMarkerIsTakenInWhenCompleted) {
  auto agent = Start();
  const std::string jpeg = MakeJpeg(4);
  WriteFile(Camera("IMG_0413.JPG"), jpeg.substr(0, jpeg.size() / 2));
  EXPECT_FALSE(agent->ReadLine(300ms).has_value()) << "an incomplete JPEG was taken in";
  {
    std::ofstream out(Camera("IMG_0413.JPG"), std::ios::binary | std::ios::app);
    out << jpeg.substr(jpeg.size() / 2);
  }
  auto line = agent->ReadLine(10s);
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(Field(*line, "sha256"), ToHex(ComputeSha256(jpeg)));
  EXPECT_EQ(JournalEvents().size(), 1u);
}

TEST_F(AgentProcessTest, AFileNameReusedWithNewBytesAfterACounterResetKeepsBothImages) {
  auto agent = Start();
  const std::string first = MakeJpeg(10), second = MakeJpeg(11);
  WriteFile(Camera("IMG_0001.JPG"), first);
  auto a = agent->ReadLine(10s);
  ASSERT_TRUE(a.has_value());
  WriteFile(Camera("IMG_0001.JPG"), second);
  auto b = agent->ReadLine(10s);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(Field(*a, "kind"), "SHOT_TAKEN");
  EXPECT_EQ(Field(*b, "kind"), "SHOT_TAKEN");
  EXPECT_EQ(Field(*b, "file"), "IMG_0001.JPG");
  EXPECT_NE(Field(*a, "sha256"), Field(*b, "sha256"));
  EXPECT_EQ(ReadFile(StoredImagePath(first)).value(), first);
  EXPECT_EQ(ReadFile(StoredImagePath(second)).value(), second);
  // The same bytes under the same name again are not a new shot.
  WriteFile(Camera("IMG_0001.JPG"), second);
  EXPECT_FALSE(agent->ReadLine(300ms).has_value());
}

TEST_F(AgentProcessTest, ImagesPresentBeforeStartAreTakenInOnceInNameOrder) {
  ASSERT_TRUE(MakeDirs(Camera("101CANON")).ok());
  WriteFile(Camera("IMG_0002.JPG"), MakeJpeg(2));
  WriteFile(Camera("IMG_0001.JPG"), MakeJpeg(1));
  WriteFile(Camera("101CANON/IMG_0001.JPG"), MakeJpeg(3));
  std::string ready;
  std::vector<std::string> before;
  {
    auto agent = Start({}, &ready, &before);
    EXPECT_EQ(Field(ready, "last_seq"), "3");
    ASSERT_EQ(before.size(), 4u);
    EXPECT_EQ(Field(before[0], "file"), "101CANON/IMG_0001.JPG");
    EXPECT_EQ(Field(before[1], "file"), "IMG_0001.JPG");
    EXPECT_EQ(Field(before[2], "file"), "IMG_0002.JPG");
    agent->Signal(SIGTERM);
    EXPECT_EQ(agent->Wait(), 0);
  }
  auto again = Start({}, &ready, &before);
  EXPECT_EQ(Field(ready, "last_seq"), "3");
  EXPECT_EQ(before.size(), 1u) << "images were taken in again: " << before.front();
  EXPECT_EQ(JournalEvents().size(), 3u);
}

TEST_F(AgentProcessTest, KillNineAndRestartContinuesTheSequenceWithoutReuse) {
  std::string ready;
  std::string epoch;
  {
    auto agent = Start({}, &ready);
    epoch = Field(ready, "epoch");
    agent->WriteLine("!absent 1");
    agent->WriteLine("!absent 2");
    WriteFile(Camera("IMG_0001.JPG"), MakeJpeg(1));
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(agent->WaitFor("event ").has_value());
    agent->Signal(SIGKILL);
    EXPECT_EQ(agent->Wait(), -SIGKILL);
  }
  auto agent = Start({}, &ready);
  EXPECT_EQ(Field(ready, "epoch"), epoch);
  EXPECT_EQ(Field(ready, "last_seq"), "3");
  agent->WriteLine("!absent 3");
  auto line = agent->WaitFor("event ");
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(Field(*line, "seq"), "4");
  const auto events = JournalEvents();
  ASSERT_EQ(events.size(), 4u);
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].seq(), i + 1);
}

// The station's copy of an image is not synced before its shot is journaled (the journal's fsync is
// the one a shot waits for), so a power cut can leave it short or take it. The camera folder keeps
// the original: at the next start the agent copies it back when its bytes still hash the same, and
// alerts for an image found nowhere.
TEST_F(AgentProcessTest, AnImageAPowerCutTookFromTheStoreIsRestoredFromTheCameraFolderAtStart) {
  const std::string short_one = MakeJpeg(1), gone = MakeJpeg(2), lost = MakeJpeg(3);
  {
    auto agent = Start();
    WriteFile(Camera("IMG_0001.JPG"), short_one);
    WriteFile(Camera("IMG_0002.JPG"), gone);
    WriteFile(Camera("IMG_0003.JPG"), lost);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(agent->WaitFor("event ").has_value());
    agent->Signal(SIGKILL);
    EXPECT_EQ(agent->Wait(), -SIGKILL);
  }
  // What a power cut may leave: a short file, none, and one whose original went too.
  WriteFile(StoredImagePath(short_one), short_one.substr(0, 100));
  std::filesystem::remove(StoredImagePath(gone));
  std::filesystem::remove(StoredImagePath(lost));
  WriteFile(Camera("IMG_0003.JPG"), MakeJpeg(4));  // another image under the lost one's name

  std::string ready;
  std::vector<std::string> before;
  auto agent = Start({}, &ready, &before);
  EXPECT_EQ(Field(ready, "last_seq"), "4") << "the new IMG_0003.JPG is a shot of its own";
  EXPECT_EQ(ReadFile(StoredImagePath(short_one)).value(), short_one);
  EXPECT_EQ(ReadFile(StoredImagePath(gone)).value(), gone);
  EXPECT_FALSE(std::filesystem::exists(StoredImagePath(lost)));
  const std::string lost_alert = "alert station=2 the image of shot IMG_0003.JPG (" + ToHex(ComputeSha256(lost)) +
                                 ") is lost: the station's image store no longer has it whole, and " +
                                 Camera("IMG_0003.JPG") + " holds other bytes.";
  EXPECT_NE(std::find_if(before.begin(), before.end(),
                         [&](const std::string& line) { return line.rfind(lost_alert, 0) == 0; }),
            before.end())
      << ::testing::PrintToString(before);
  const std::string log = ReadFile(dir_ / "agent.log").value();
  EXPECT_NE(log.find("of shot IMG_0001.JPG was missing from the image store (a power cut?); restored from"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("of shot IMG_0002.JPG was missing"), std::string::npos) << log;
}

TEST_F(AgentProcessTest, ANewCameraSubfolderIsWatched) {
  auto agent = Start();
  ASSERT_TRUE(MakeDirs(Camera("101CANON")).ok());
  WriteFile(Camera("101CANON/IMG_0001.JPG"), MakeJpeg(5));
  auto line = agent->ReadLine(10s);
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(Field(*line, "file"), "101CANON/IMG_0001.JPG");
  EXPECT_FALSE(agent->ReadLine(300ms).has_value());
}

TEST_F(AgentProcessTest, MarksReferToTheRightShotAndStudent) {
  auto agent = Start({"--operator", "photographer-2"});
  agent->WriteLine(MintDemoCode(key_, "A1", "甲*"));
  ASSERT_TRUE(agent->WaitFor("event ").has_value());
  WriteFile(Camera("IMG_0001.JPG"), MakeJpeg(1));
  ASSERT_TRUE(agent->WaitFor("event ").has_value());
  agent->WriteLine(MintDemoCode(key_, "B2", "乙*"));
  ASSERT_TRUE(agent->WaitFor("event ").has_value());
  WriteFile(Camera("IMG_0002.JPG"), MakeJpeg(2));
  ASSERT_TRUE(agent->WaitFor("event ").has_value());

  agent->WriteLine("!retake");
  auto retake = agent->ReadLine(10s);
  ASSERT_TRUE(retake.has_value());
  EXPECT_EQ(Field(*retake, "kind"), "MARK_RETAKE");
  EXPECT_EQ(Field(*retake, "registry_no"), "B2");
  agent->WriteLine("!void 1");
  auto void_line = agent->ReadLine(10s);
  ASSERT_TRUE(void_line.has_value());
  EXPECT_EQ(Field(*void_line, "kind"), "MARK_VOID");
  EXPECT_EQ(Field(*void_line, "file"), "IMG_0001.JPG");
  agent->WriteLine("!void IMG_0003.JPG");
  auto unknown = agent->ReadLine(10s);
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->rfind("alert ", 0), 0u) << *unknown;
  agent->WriteLine("!resolve A-1 teacher changed the class order");
  auto resolve = agent->ReadLine(10s);
  ASSERT_TRUE(resolve.has_value());
  EXPECT_EQ(Field(*resolve, "anomaly"), "A-1");

  const auto events = JournalEvents();
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events[4].operator_(), "photographer-2");
  EXPECT_EQ(events[5].shot().sha256(), events[1].shot().sha256());
  EXPECT_EQ(events[6].detail(), "teacher changed the class order");
}

TEST_F(AgentProcessTest, MarksAfterARestartReferToShotsAndCodesFromBeforeIt) {
  {
    auto agent = Start();
    agent->WriteLine(MintDemoCode(key_, "A1", "甲*"));
    ASSERT_TRUE(agent->WaitFor("event ").has_value());
    WriteFile(Camera("IMG_0001.JPG"), MakeJpeg(1));
    ASSERT_TRUE(agent->WaitFor("event ").has_value());
    agent->Signal(SIGKILL);
    agent->Wait();
  }
  auto agent = Start();
  agent->WriteLine("!retake");
  auto retake = agent->ReadLine(10s);
  ASSERT_TRUE(retake.has_value());
  EXPECT_EQ(Field(*retake, "registry_no"), "A1") << *retake;
  agent->WriteLine("!void");
  auto void_line = agent->ReadLine(10s);
  ASSERT_TRUE(void_line.has_value());
  EXPECT_EQ(Field(*void_line, "file"), "IMG_0001.JPG") << *void_line;
}

TEST_F(AgentProcessTest, SimTimeStampsEventsAndReadsExifInTheStationZone) {
  auto agent = Start({"--sim-time"});
  agent->WriteLine("!time 2024-04-22T08:30:05+08:00");
  agent->WriteLine("!absent 1");
  ASSERT_TRUE(agent->WaitFor("event ").has_value());
  WriteFile(Camera("IMG_0001.JPG"), MakeJpeg(1, ExifSegment("2024:04:22 08:30:09", false)));
  ASSERT_TRUE(agent->WaitFor("event ").has_value());
  const auto events = JournalEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].station_time_us(), ParseIso8601("2024-04-22T08:30:05+08:00").value());
  EXPECT_EQ(events[1].shot().capture_time_us(), ParseIso8601("2024-04-22T08:30:09+08:00").value());
}

TEST_F(AgentProcessTest, TimeMarksAreRefusedWithoutSimTime) {
  auto agent = Start();
  agent->WriteLine("!time 2024-04-22T08:30:05+08:00");
  auto line = agent->ReadLine(10s);
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->rfind("alert ", 0), 0u) << *line;
  EXPECT_NE(line->find("--sim-time"), std::string::npos) << *line;
}

TEST_F(AgentProcessTest, KeepsWatchingTheCameraAfterItsInputEndsAndExitsCleanlyOnSigterm) {
  auto agent = Start();
  agent->CloseInput();
  WriteFile(Camera("IMG_0001.JPG"), MakeJpeg(1));
  auto line = agent->WaitFor("event ");
  ASSERT_TRUE(line.has_value());
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(), 0);
}

TEST_F(AgentProcessTest, ReadsANamedPipeAcrossWritersThatComeAndGo) {
  const std::string fifo = dir_ / "input.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto agent = Start({"--input", fifo});
  auto write_line = [&](const std::string& line) {
    // Non-blocking: the open fails (ENXIO) if the agent no longer holds the pipe's reading end.
    const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    ASSERT_GE(fd, 0) << "the agent stopped reading the pipe: " << std::strerror(errno);
    const std::string bytes = line + "\n";
    ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    ::close(fd);
  };
  write_line("!absent 1");
  ASSERT_TRUE(agent->WaitFor("event ").has_value());
  // The writer has gone. Two camera images, each awaited, give the agent two full turns of its
  // loop in which it would have seen an end of the input, if the pipe had one.
  for (uint32_t i = 1; i <= 2; ++i) {
    WriteFile(Camera("IMG_000" + std::to_string(i) + ".JPG"), MakeJpeg(i));
    ASSERT_TRUE(agent->WaitFor("event ").has_value());
  }
  write_line("!absent 2");
  auto event = agent->WaitFor("event ");
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(Field(*event, "student_no"), "2");
}

TEST_F(AgentProcessTest, ReadsAnInputFileToItsLastLineWithoutANewline) {
  WriteFile(dir_ / "input.txt", "!absent 1\r\n\n!absent 2");
  auto agent = Start({"--input", dir_ / "input.txt"});
  ASSERT_TRUE(agent->WaitFor("event ").has_value());
  auto last = agent->WaitFor("event ");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(Field(*last, "student_no"), "2");
}

// Plays the coordinator's side of the protocol with real sockets.
class FakeCoordinator {
 public:
  // A CURVE server with `identity`, admitting every client key (no ZAP handler: the real
  // coordinator's Gatekeeper is tested with the real coordinator).
  explicit FakeCoordinator(const Identity& identity, const std::string& events = "tcp://127.0.0.1:*",
                           const std::string& control = "tcp://127.0.0.1:*") {
    sub_ = OpenSocket(ctx_, zmq::socket_type::sub).value();
    router_ = OpenSocket(ctx_, zmq::socket_type::router).value();
    const ServerSecurity security{std::make_shared<const Identity>(identity)};
    EXPECT_TRUE(Secure(sub_, security).ok());
    EXPECT_TRUE(Secure(router_, security).ok());
    EXPECT_TRUE(SubscribeAll(sub_).ok());
    EXPECT_TRUE(Bind(sub_, events).ok());
    EXPECT_TRUE(Bind(router_, control).ok());
    EXPECT_TRUE(MakeRouterStrict(router_).ok());
  }
  std::string events() { return LastEndpoint(sub_).value(); }
  std::string control() { return LastEndpoint(router_).value(); }

  // The next frame on ROUTER (with its sender) or SUB, polled every few ms until the deadline.
  std::optional<std::pair<std::string, wire::Frame>> Next(bool routed, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (auto got = TryRecv(routed ? router_ : sub_, routed)) {
        auto frame = DecodeFrame(got->bytes);
        if (auto* f = std::get_if<wire::Frame>(&frame)) return std::make_pair(got->peer, *f);
        ADD_FAILURE() << "the agent sent a frame that does not decode";
      }
      std::this_thread::sleep_for(2ms);
    }
    return std::nullopt;
  }

  bool Send(const std::string& peer, wire::Frame frame) { return TrySendTo(router_, peer, EncodeFrame(std::move(frame))); }

 private:
  zmq::context_t ctx_{1};
  zmq::socket_t sub_;
  zmq::socket_t router_;
};

TEST_F(AgentProcessTest, GreetsTheCoordinatorResendsOnRequestAndKeepsTheAckedMark) {
  FakeCoordinator coordinator(coordinator_identity_);
  events_ = coordinator.events();
  control_ = coordinator.control();
  std::string ready;
  auto agent = Start({"--heartbeat-ms", "50"}, &ready);
  for (const char* s : {"!absent 1", "!absent 2", "!absent 3"}) {
    agent->WriteLine(s);
    ASSERT_TRUE(agent->WaitFor("event ").has_value());
  }
  const std::string epoch_hex = Field(ready, "epoch");
  const uint64_t epoch = std::stoull(epoch_hex, nullptr, 16);

  auto hello = coordinator.Next(true);
  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(Field(ready, "key").size(), 64u) << ready;
  ASSERT_TRUE(hello->second.has_hello());
  EXPECT_EQ(hello->second.hello().station(), 2u);
  EXPECT_EQ(hello->second.hello().epoch(), epoch);

  wire::Frame resend;
  resend.mutable_resend()->set_station(2);
  resend.mutable_resend()->set_epoch(epoch);
  resend.mutable_resend()->set_first_seq(2);
  resend.mutable_resend()->set_last_seq(3);
  ASSERT_TRUE(coordinator.Send(hello->first, resend));
  std::vector<uint64_t> resent;
  while (resent.size() < 2) {
    auto frame = coordinator.Next(true);
    ASSERT_TRUE(frame.has_value()) << "resent so far: " << resent.size();
    if (frame->second.has_hello()) continue;
    ASSERT_TRUE(frame->second.has_event());
    auto event = ParseEvent(frame->second.event());
    ASSERT_TRUE(std::holds_alternative<wire::CaptureEvent>(event));
    resent.push_back(std::get<wire::CaptureEvent>(event).seq());
  }
  EXPECT_EQ(resent, (std::vector<uint64_t>{2, 3}));

  // Heartbeats on the event stream carry the station's last seq.
  for (;;) {
    auto frame = coordinator.Next(false);
    ASSERT_TRUE(frame.has_value()) << "no heartbeat";
    if (!frame->second.has_heartbeat()) continue;
    EXPECT_EQ(frame->second.heartbeat().station(), 2u);
    EXPECT_EQ(frame->second.heartbeat().last_seq(), 3u);
    break;
  }

  wire::Frame ack;
  ack.mutable_ack()->set_station(2);
  ack.mutable_ack()->set_epoch(epoch);
  ack.mutable_ack()->set_stored_seq(2);
  ASSERT_TRUE(coordinator.Send(hello->first, ack));
  // The ack lands asynchronously: the journal is opened read-only again every few ms until it
  // shows (the mark is written unsynced, but to the journal's log, which a reader replays).
  const auto deadline = Clock::now() + 10s;
  uint64_t acked = 0;
  while (Clock::now() < deadline && acked != 2) {
    acked = Journal::Open(journal_, true).value()->acked_seq();
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(acked, 2u);
}

TEST_F(AgentProcessTest, GreetsACoordinatorThatAppearsLaterOnceNotWithAStaleBurst) {
  auto agent = Start();
  agent->WriteLine("!absent 1");
  ASSERT_TRUE(agent->WaitFor("event ").has_value());
  // The coordinator is down for a while: long enough for several hello intervals to pass.
  std::this_thread::sleep_for(3500ms);
  FakeCoordinator coordinator(coordinator_identity_, events_, control_);
  auto hello = coordinator.Next(true);
  ASSERT_TRUE(hello.has_value()) << "no hello from an agent that started before the coordinator";
  ASSERT_TRUE(hello->second.has_hello());
  EXPECT_EQ(hello->second.hello().last_seq(), 1u);
  EXPECT_FALSE(coordinator.Next(true, 600ms).has_value()) << "hellos from the outage arrived as a burst";
  // Still unanswered: it greets again.
  auto again = coordinator.Next(true, 5s);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->second.has_hello());
}

}  // namespace
}  // namespace capture::agent
