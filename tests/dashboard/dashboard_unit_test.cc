// The dashboard's pure parts: metrics text, request checks, the token file, sessions, the directory,
// the timeline, the views' counting rules and the EXIF preview reader; and, with no loop behind the
// server, photos served by the HTTP threads and who may read what on which address.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <variant>

#include "common/fs.h"
#include "common/image_store.h"
#include "common/language.h"
#include "coordinator/dashboard/assets.h"
#include "coordinator/dashboard/directory.h"
#include "coordinator/dashboard/exif_thumbnail.h"
#include "coordinator/dashboard/http_api.h"
#include "coordinator/dashboard/loop_views.h"
#include "coordinator/dashboard/metrics.h"
#include "coordinator/dashboard/server.h"
#include "coordinator/dashboard/session.h"
#include "coordinator/dashboard/timeline.h"
#include "coordinator/dashboard/token.h"
#include "coordinator/dashboard/views.h"
#include "tests/dashboard/http_client.h"
#include "tests/dashboard/prometheus_text.h"
#include "tests/support/temp_dir.h"

namespace capture::dashboard {
namespace {

using testing::ParseExposition;

constexpr int64_t kMidnight = 1'713'715'200'000'000;  // 2024-04-22T00:00+08:00
constexpr int64_t kMinute = 60'000'000;

wire::JudgeConfig Config() {
  wire::JudgeConfig c;
  c.set_local_midnight_us(kMidnight);
  c.set_utc_offset_minutes(480);
  return c;
}

// ---- metrics ----

TEST(Metrics, ExportsEveryCounterAndTheHistogramsInStrictTextFormat) {
  wire::StatusReply status;
  status.set_commit_index(42);
  for (auto [name, value] : std::vector<std::pair<std::string, uint64_t>>{{"events_stored{station=\"1\"}", 40},
                                                                          {"events_received{station=\"1\"}", 41},
                                                                          {"frames_rejected{reason=\"oversized\"}", 2},
                                                                          {"duplicates_ignored", 1},
                                                                          {"anomalies_open", 9},
                                                                          {"a_new_counter", 5}}) {
    wire::Counter* c = status.add_counters();
    c->set_name(name);
    c->set_value(value);
  }
  wire::StationStatus* s = status.add_stations();
  s->set_station(1);
  s->set_stored_seq(40);
  s->set_announced_seq(43);
  std::vector<judge::AnomalyState> anomalies(3);
  anomalies[0].anomaly.set_kind(wire::Anomaly::SHOT_WITHOUT_CODE);
  anomalies[0].anomaly.set_severity(wire::BLOCKER);
  anomalies[1] = anomalies[0];
  anomalies[1].resolution = wire::Resolution();
  anomalies[2].anomaly.set_kind(wire::Anomaly::OUT_OF_ORDER);
  anomalies[2].anomaly.set_severity(wire::WARNING);
  anomalies[2].resolution = wire::Resolution();
  CommitMetrics commits;
  commits.Observe(1, 0.0004);
  commits.Observe(300, 0.003);
  commits.Observe(20000, 7);

  const std::string text = MetricsText(status, anomalies, commits);
  auto parsed = ParseExposition(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message() << "\n" << text;
  EXPECT_EQ(parsed->types.at("capture_events_stored_total"), "counter");
  EXPECT_EQ(parsed->Value("capture_events_stored_total", {{"station", "1"}}), 40);
  EXPECT_EQ(parsed->Value("capture_events_received_total", {{"station", "1"}}), 41);
  EXPECT_EQ(parsed->Value("capture_frames_rejected_total", {{"reason", "oversized"}}), 2);
  EXPECT_EQ(parsed->types.at("capture_a_new_counter"), "untyped");
  EXPECT_EQ(parsed->Value("capture_station_lag_events", {{"station", "1"}}), 3);
  EXPECT_EQ(parsed->Value("capture_commit_index"), 42);
  EXPECT_EQ(parsed->Value("capture_anomalies_open", {{"kind", "SHOT_WITHOUT_CODE"}, {"severity", "BLOCKER"}}), 1);
  EXPECT_EQ(parsed->Value("capture_anomalies_open", {{"kind", "OUT_OF_ORDER"}, {"severity", "WARNING"}}), 0);
  EXPECT_FALSE(parsed->Value("capture_anomalies_open")) << "the status reply's total is replaced by the labelled one";
  EXPECT_EQ(parsed->Value("capture_commit_batch_items_bucket", {{"le", "1"}}), 1);
  EXPECT_EQ(parsed->Value("capture_commit_batch_items_bucket", {{"le", "500"}}), 2);
  EXPECT_EQ(parsed->Value("capture_commit_batch_items_bucket", {{"le", "+Inf"}}), 3);
  EXPECT_EQ(parsed->Value("capture_commit_seconds_count"), 3);
  EXPECT_DOUBLE_EQ(*parsed->Value("capture_commit_batch_items_sum"), 20301);
}

TEST(Metrics, TheStrictReaderRefusesWhatAScraperWould) {
  EXPECT_FALSE(ParseExposition("x 1\n").ok()) << "a sample before its TYPE";
  EXPECT_FALSE(ParseExposition("# TYPE x counter\nx{a=\"1} 1\n").ok()) << "an unterminated label";
  EXPECT_FALSE(ParseExposition("# TYPE x counter\nx one\n").ok()) << "a value that is no number";
  EXPECT_FALSE(ParseExposition("# TYPE x counter\nx 1\n# TYPE y gauge\ny 1\nx 2\n").ok()) << "a family split";
  EXPECT_FALSE(
      ParseExposition("# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n").ok())
      << "buckets that are not cumulative";
  EXPECT_FALSE(
      ParseExposition("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n").ok())
      << "+Inf bucket other than _count";
  EXPECT_TRUE(ParseExposition("# HELP x a \\\\ help\n# TYPE x gauge\nx{a=\"q\\\"\"} -1.5e3\n").ok());
}

// ---- requests ----

TEST(ResolveBody, TakesIdReasonAndByAndNamesEveryProblem) {
  auto ok = ParseResolveBody(R"({"id":"A12","reason":"retaken","by":"王老师"})");
  ASSERT_TRUE(std::holds_alternative<ResolveInput>(ok));
  EXPECT_EQ(std::get<ResolveInput>(ok).id, "A12");
  EXPECT_EQ(std::get<ResolveInput>(ok).by, "王老师");
  auto defaulted = ParseResolveBody(R"({"id":"A1","reason":"x"})");
  ASSERT_TRUE(std::holds_alternative<ResolveInput>(defaulted));
  EXPECT_EQ(std::get<ResolveInput>(defaulted).by, kDefaultResolver);

  auto problem = [](std::string_view body) {
    auto r = ParseResolveBody(body);
    return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : std::string("(accepted)");
  };
  EXPECT_NE(problem("{\"id\":").find("not JSON"), std::string::npos);
  EXPECT_NE(problem("[1]").find("JSON object"), std::string::npos);
  EXPECT_NE(problem(R"({"reason":"x"})").find("\"id\" is missing"), std::string::npos);
  EXPECT_NE(problem(R"({"id":"../A1","reason":"x"})").find("not an anomaly id"), std::string::npos);
  EXPECT_NE(problem(R"({"id":"A1","reason":"  "})").find("\"reason\" is empty"), std::string::npos);
  EXPECT_NE(problem(R"({"id":"A1","reason":"x","why":1})").find("unknown field \"why\""), std::string::npos);
  EXPECT_NE(
      problem(R"({"id":"A1","reason":)" + ("\"" + std::string(kMaxReasonBytes + 1, 'x') + "\"}")).find("longer than"),
      std::string::npos);
  EXPECT_NE(problem("{\"id\":\"A1\",\"reason\":\"\xff\"}").find("not JSON"), std::string::npos) << "not UTF-8";
}

TEST(HttpAddress, ParsesHostAndPortAndRefusesTheRest) {
  auto a = ParseHttpAddress("127.0.0.1:5780");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first, "127.0.0.1");
  EXPECT_EQ(a->second, 5780);
  auto v6 = ParseHttpAddress("[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->first, "::1");
  for (const char* bad : {"5780", "127.0.0.1:", ":80", "host:99999", "host:8o", "[::1:80"}) {
    EXPECT_FALSE(ParseHttpAddress(bad).ok()) << bad;
  }
}

// ---- the token ----

TEST(RegistrarToken, IsMadeOnceWithMode0600AndNeverOverwritten) {
  ::capture::testing::TempDir dir;
  const std::string path = dir / kTokenFileName;
  auto first = LoadOrCreateToken(path);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->size(), 64u);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = LoadOrCreateToken(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);

  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto tightened = LoadOrCreateToken(path);
  ASSERT_TRUE(tightened.ok());
  EXPECT_EQ(*tightened, *first);
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  ::capture::testing::TempDir other;
  auto different = LoadOrCreateToken(other / kTokenFileName);
  ASSERT_TRUE(different.ok());
  EXPECT_NE(*different, *first) << "random per store";

  ASSERT_TRUE(WriteFileDurably(other / "bad.token", "not a token\n", 0600).ok());
  EXPECT_EQ(LoadOrCreateToken(other / "bad.token").status().code(), Status::Code::kCorruption);
}

TEST(RegistrarToken, AuthorizesOnlyTheExactBearerToken) {
  const std::string token(64, 'a');
  EXPECT_TRUE(Authorizes("Bearer " + token, token));
  EXPECT_FALSE(Authorizes("", token));
  EXPECT_FALSE(Authorizes(token, token)) << "no scheme";
  EXPECT_FALSE(Authorizes("Basic " + token, token));
  EXPECT_FALSE(Authorizes("Bearer " + token.substr(1) + "b", token));
  EXPECT_FALSE(Authorizes("Bearer " + token + "a", token));
  EXPECT_FALSE(Authorizes("Bearer ", ""));
}

// ---- reading on a network address: the pure parts ----

TEST(LoopbackHost, IsLocalhostAnd127Slash8AndColonColon1AndNothingElse) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "127.255.255.255", "localhost", "LocalHost", "::1",
                           "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "128.0.0.1", "126.255.255.255",
                           "::ffff:10.0.0.1", "fe80::1", "::2", "127.1", "registrar-laptop", "localhost.example.com",
                           "127.0.0.1.example.com", ""}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST(Sessions, AreValidOnlyAsIssuedAndOnlyUnderTheirOwnKey) {
  const Sessions sessions;
  const std::string a = sessions.Issue();
  const std::string b = sessions.Issue();
  EXPECT_EQ(a.size(), 96u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
  EXPECT_NE(a, b);
  EXPECT_TRUE(sessions.Valid(a));
  EXPECT_TRUE(sessions.Valid(b));
  for (size_t i : {size_t{0}, size_t{31}, size_t{32}, size_t{95}}) {
    std::string changed = a;
    changed[i] = changed[i] == '0' ? '1' : '0';
    EXPECT_FALSE(sessions.Valid(changed)) << "digit " << i << " changed";
  }
  EXPECT_FALSE(sessions.Valid(a.substr(0, 95)));
  EXPECT_FALSE(sessions.Valid(a + "0"));
  EXPECT_FALSE(sessions.Valid(a.substr(0, 32) + b.substr(32))) << "another session's MAC";
  EXPECT_FALSE(sessions.Valid(""));
  const Sessions restarted;
  EXPECT_FALSE(restarted.Valid(a)) << "a new key ends every session";
}

TEST(Sessions, AreFoundInACookieHeaderAmongOtherCookies) {
  const Sessions sessions;
  const std::string a = sessions.Issue();
  std::string forged = a;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_TRUE(sessions.InCookieHeader("capture_session=" + a));
  EXPECT_TRUE(sessions.InCookieHeader("theme=dark; capture_session=" + a + "; lang=zh"));
  EXPECT_TRUE(sessions.InCookieHeader("capture_session=" + forged + ";capture_session=" + a))
      << "an older cookie of the same name beside the valid one";
  EXPECT_FALSE(sessions.InCookieHeader("capture_session=" + forged));
  EXPECT_FALSE(sessions.InCookieHeader("other_capture_session=" + a));
  EXPECT_FALSE(sessions.InCookieHeader("capture_session"));
  EXPECT_FALSE(sessions.InCookieHeader(""));
  EXPECT_EQ(SessionCookie(a), "capture_session=" + a + "; HttpOnly; SameSite=Strict; Path=/");
}

TEST(SessionBody, TakesTheTokenAndNamesEveryProblem) {
  auto ok = ParseSessionBody(R"({"token":"abc"})");
  ASSERT_TRUE(std::holds_alternative<SessionInput>(ok));
  EXPECT_EQ(std::get<SessionInput>(ok).token, "abc");
  auto problem = [](std::string_view body) {
    auto r = ParseSessionBody(body);
    return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : std::string("(accepted)");
  };
  EXPECT_NE(problem("{\"token\":").find("not JSON"), std::string::npos);
  EXPECT_NE(problem(R"("abc")").find("JSON object"), std::string::npos);
  EXPECT_NE(problem("{}").find("\"token\" is missing"), std::string::npos);
  EXPECT_NE(problem(R"({"token":64})").find("not a string"), std::string::npos);
  EXPECT_NE(problem(R"({"token":"abc","user":"x"})").find("unknown field \"user\""), std::string::npos);
}

TEST(SameOrigin, IsAnOriginNamingTheHostOverHttpOrNoOriginAtAll) {
  EXPECT_TRUE(FromSameOrigin("http://127.0.0.1:5780", "127.0.0.1:5780"));
  EXPECT_TRUE(FromSameOrigin("http://192.168.1.20:5780", "192.168.1.20:5780"));
  EXPECT_TRUE(FromSameOrigin("", "127.0.0.1:5780")) << "no Origin: not sent by a page";
  EXPECT_FALSE(FromSameOrigin("http://127.0.0.1:8080", "127.0.0.1:5780")) << "another port: the same site";
  EXPECT_FALSE(FromSameOrigin("http://evil.example", "127.0.0.1:5780"));
  EXPECT_FALSE(FromSameOrigin("https://127.0.0.1:5780", "127.0.0.1:5780"));
  EXPECT_FALSE(FromSameOrigin("null", "127.0.0.1:5780")) << "a sandboxed or opaque origin";
  EXPECT_FALSE(FromSameOrigin("http://127.0.0.1:5780", ""));
  EXPECT_FALSE(FromSameOrigin("http://127.0.0.1:5780/", "127.0.0.1:5780"));
}

// ---- directory and timeline ----

Schedule TwoStations() {
  Schedule s;
  s.classes = {{1, "文学院", "A2101", 3, 8 * 60 + 30, 9 * 60},
               {1, "文学院", "A2102", 2, 9 * 60, 9 * 60 + 30},
               {2, "理学院", "<script>alert(1)</script>", 2, 8 * 60 + 30, 9 * 60}};
  return s;
}

Roster TwoStationsRoster() {
  Roster r;
  r.students = {{"1003", "R3", "文学院", "A2101", "王五", "王*"},
                {"1001", "R1", "文学院", "A2101", "张三", "张*"},
                {"1002", "R2", "文学院", "A2101", "李四", "李*"},
                {"2001", "R4", "文学院", "A2102", "赵六", "赵*"},
                {"2002", "R5", "文学院", "A2102", "钱七", "钱*"},
                {"3001", "R6", "理学院", "<script>alert(1)</script>", "<b>孙</b>", "孙*"},
                {"3002", "R7", "理学院", "<script>alert(1)</script>", "周八", "周*"}};
  return r;
}

TEST(Directory, KnowsSlotsAndNamesByStudentNumber) {
  auto d = Directory::Build(TwoStations(), TwoStationsRoster(), Config());
  EXPECT_EQ(d->stations(), (std::vector<uint32_t>{1, 2}));
  ASSERT_NE(d->FindClass("A2102"), nullptr);
  EXPECT_EQ(d->FindClass("A2102")->start_us, kMidnight + (9 * 60) * kMinute);
  EXPECT_EQ(d->FindClass("A2101")->students, 3u);
  EXPECT_EQ(d->FindClass("nope"), nullptr);
  EXPECT_EQ(d->NameOf("1001"), "张三");
  EXPECT_EQ(d->NameOf("1003"), "王五");
  EXPECT_EQ(d->NameOf("3001"), "<b>孙</b>");
  EXPECT_EQ(d->NameOf("100"), "");
  EXPECT_EQ(d->NameOf("9999"), "");
}

TEST(Timeline, KnowsWhenEachCommitWasStoredAndHowEachMinuteEnded) {
  Timeline t(kMidnight);
  const int64_t at = kMidnight + 510 * kMinute;  // 08:30
  t.Committed(1, 5, at, 5);
  t.Committed(6, 6, at + 300'000, 1);  // within the second: no new entry
  t.Committed(7, 9, at + 2'000'000, 3);
  EXPECT_EQ(t.TimeOfCommit(3), at);
  EXPECT_EQ(t.TimeOfCommit(6), at);
  EXPECT_EQ(t.TimeOfCommit(9), at + 2'000'000);
  EXPECT_EQ(t.minutes().at(510).events, 9u);

  EXPECT_TRUE(t.WantsSample(at));
  t.Sample(at, {{1, "A2101", 1, 3, 1}});
  EXPECT_FALSE(t.WantsSample(at + 10'000'000));
  t.Sample(at + 2 * kMinute, {{1, "A2101", 3, 3, 3}});  // 08:32: closes 08:30 too
  EXPECT_EQ(t.PhotographedAt(1, at), 3u);
  EXPECT_EQ(t.PhotographedAt(1, at + kMinute), 3u) << "a minute with no sample keeps the last count";
  EXPECT_EQ(t.PhotographedAt(1, at - kMinute), 0u);
  EXPECT_EQ(t.MinuteOf(kMidnight - 1), -1);
}

// ---- views ----

struct Fixture {
  std::shared_ptr<const Directory> directory = Directory::Build(TwoStations(), TwoStationsRoster(), Config());
  Timeline timeline{kMidnight};
  std::vector<judge::AssignmentRow> rows;
  std::vector<judge::StationProgress> progress;
  std::vector<judge::AnomalyState> anomalies;

  Fixture() {
    // A2101: two photographed, one missing (station 1 moved on to A2102, where one is photographed).
    rows = {{"1001", "R1", "A2101", "photographed", 1, 1, "IMG_0001.JPG", std::string(64, 'a'), {}},
            {"1002", "R2", "A2101", "photographed", 1, 2, "IMG_0002.JPG", "", {}},
            {"1003", "R3", "A2101", "missing", 0, 0, "", "", {}},
            {"2001", "R4", "A2102", "photographed", 1, 3, "IMG_0003.JPG", "", {}},
            {"2002", "R5", "A2102", "missing", 0, 0, "", "", {}},
            {"3001", "R6", "<script>alert(1)</script>", "missing", 0, 0, "", "", {}},
            {"3002", "R7", "<script>alert(1)</script>", "absent", 0, 0, "", "", {}}};
    progress = {{1, "A2102", 1, 2, 3, false}};
    for (int i = 0; i < 3; ++i) {
      judge::AnomalyState a;
      a.anomaly.set_id("A" + std::to_string(i + 1));
      a.anomaly.set_station(1);
      a.anomaly.set_raised_commit(static_cast<uint64_t>(i + 1));
      anomalies.push_back(a);
    }
    anomalies[0].anomaly.set_kind(wire::Anomaly::OUT_OF_ORDER);
    anomalies[0].anomaly.set_severity(wire::WARNING);
    anomalies[1].anomaly.set_kind(wire::Anomaly::MISSING_STUDENT);
    anomalies[1].anomaly.set_severity(wire::WARNING);
    anomalies[1].resolution = wire::Resolution();
    anomalies[2].anomaly.set_kind(wire::Anomaly::SHOT_WITHOUT_CODE);
    anomalies[2].anomaly.set_severity(wire::BLOCKER);
    wire::StudentRef* s = anomalies[2].anomaly.add_students();
    s->set_student_no("1002");
    s->set_registry_no("R2");
    anomalies[2].anomaly.add_shots("IMG_0004.JPG");
    timeline.Committed(1, 3, kMidnight + 515 * kMinute, 3);
    timeline.Sample(kMidnight + 515 * kMinute, progress);
  }

  ViewInputs Inputs() const {
    return {directory.get(), &timeline, &rows, &progress, &anomalies, 7, 6, kMidnight + 552 * kMinute};  // 09:12
  }
};

TEST(SummaryView, CountsClassesAndStationsAndListsBlockersFirst) {
  const Fixture f;
  const auto j = nlohmann::json::parse(SummaryJson(f.Inputs()));
  EXPECT_EQ(j["commit_index"], 7);
  EXPECT_EQ(j["assignment_commit_index"], 6);
  EXPECT_EQ(j["now"], "2024-04-22T09:12:00.000+08:00");
  ASSERT_EQ(j["classes"].size(), 3u);
  const auto& a2101 = j["classes"][0];
  EXPECT_EQ(a2101["class"], "A2101");
  EXPECT_EQ(a2101["state"], "incomplete");
  EXPECT_EQ(a2101["photographed"], 2);
  EXPECT_EQ(a2101["missing"], 1);
  EXPECT_EQ(a2101["open_anomalies"], 1);
  EXPECT_EQ(a2101["slot_start"], "08:30");
  EXPECT_EQ(j["classes"][1]["state"], "in_progress");
  EXPECT_EQ(j["classes"][1]["waiting"], 1) << "the current class's students still queue";
  EXPECT_EQ(j["classes"][2]["class"], "<script>alert(1)</script>");
  EXPECT_EQ(j["classes"][2]["state"], "incomplete") << "an absent student starts a class";

  const auto& s1 = j["stations"][0];
  EXPECT_EQ(s1["current_class"], "A2102");
  EXPECT_EQ(s1["expected"], 5);
  EXPECT_EQ(s1["photographed"], 3);
  EXPECT_EQ(s1["missing"], 1);
  EXPECT_EQ(s1["waiting"], 1);
  EXPECT_EQ(s1["open_blockers"], 1);
  // The plan had A2101's 3 students done by 09:00; 3 are done at 09:12.
  EXPECT_DOUBLE_EQ(s1["delay_minutes"].get<double>(), 12.0);
  EXPECT_FALSE(s1["finished"].get<bool>());
  EXPECT_EQ(j["totals"]["expected"], 7);
  EXPECT_EQ(j["totals"]["absent"], 1);

  ASSERT_EQ(j["anomalies"]["open"], 2);
  EXPECT_EQ(j["anomalies"]["list"][0]["id"], "A3") << "blockers first";
  EXPECT_EQ(j["anomalies"]["list"][0]["students"][0]["name"], "李四");
  EXPECT_EQ(j["anomalies"]["list"][0]["raised_at"], "08:35:00");
  EXPECT_EQ(j["anomalies"]["list"][0]["age_seconds"], 37 * 60);
  EXPECT_EQ(j["anomalies"]["list"][1]["id"], "A1");
  EXPECT_EQ(j["series"]["stations"][0]["plan"].size(), 3u);
  EXPECT_EQ(j["series"]["events_per_minute"][0], nlohmann::json::array({515, 3}));
}

// Station 1 at 17:41 and at 18:41, its day closed: it finished with the delay it had then, which no
// longer grows while a missing student stays missing; a class done but with an open anomaly is not
// shown as plainly done.
TEST(SummaryView, AFinishedStationSaysSoAndItsDelayStopsWithItsLastPhoto) {
  Fixture f;
  f.progress[0].day_over = true;
  f.rows[5].status = "photographed";  // 3001: <script> class (station 2) all photographed or absent
  f.rows[5].station = 2;
  f.rows[5].shot_number = 9;
  judge::AnomalyState doubt;
  doubt.anomaly.set_id("A4");
  doubt.anomaly.set_station(2);
  doubt.anomaly.set_severity(wire::WARNING);
  doubt.anomaly.add_students()->set_student_no("3001");
  f.anomalies.push_back(doubt);
  std::vector<nlohmann::json> at;
  for (const int64_t minute : {17 * 60 + 41, 18 * 60 + 41}) {
    ViewInputs in = f.Inputs();
    in.now_us = kMidnight + minute * kMinute;
    at.push_back(nlohmann::json::parse(SummaryJson(in)));
  }
  for (const nlohmann::json& j : at) {
    const auto& s1 = j["stations"][0];
    EXPECT_TRUE(s1["finished"].get<bool>()) << s1;
    EXPECT_EQ(s1["finished_at"], "08:36") << "the minute after its last photo";
    EXPECT_TRUE(s1["estimated_end"].is_null());
    EXPECT_TRUE(s1["pace_per_minute"].is_null()) << "a finished station has no pace";
    EXPECT_EQ(s1["waiting"], 0);
    EXPECT_EQ(j["classes"][1]["state"], "incomplete") << "its last class moved on when its day closed";
    EXPECT_EQ(j["classes"][2]["state"], "needs_review") << "done, but A4 is open";
  }
  EXPECT_EQ(at[0]["stations"][0]["delay_minutes"], at[1]["stations"][0]["delay_minutes"]);
  // The plan had all 5 done by 09:30; it finished 08:36 with 3 done: 54 minutes ahead.
  EXPECT_DOUBLE_EQ(at[0]["stations"][0]["delay_minutes"].get<double>(), -54.0);
}

TEST(SummaryView, PaceAndDelayShowOneDecimalAndAnEndOnAnotherDayItsDate) {
  const Fixture f;
  const std::regex one_decimal(R"re("(pace_per_minute|delay_minutes)":(null|-?\d+(\.\d)?)[,}])re");
  const std::regex any_number(R"re("(pace_per_minute|delay_minutes)":[^,}]*)re");
  for (int64_t minute = 9 * 60 + 12; minute < 12 * 60; ++minute) {
    ViewInputs in = f.Inputs();
    in.now_us = kMidnight + minute * kMinute;
    const std::string text = SummaryJson(in);
    for (std::sregex_iterator it(text.begin(), text.end(), any_number), end; it != end; ++it) {
      const std::string field = it->str() + ",";
      EXPECT_TRUE(std::regex_search(field, one_decimal)) << field << " at minute " << minute;
    }
  }
  // A station that began at 23:50 and has photographed 3 by 23:59 (0.3 a minute): its last 2 come
  // after midnight.
  Fixture night;
  night.timeline = Timeline{kMidnight};
  night.timeline.Sample(kMidnight + (23 * 60 + 50) * kMinute, night.progress);
  ViewInputs late = night.Inputs();
  late.now_us = kMidnight + (23 * 60 + 59) * kMinute;
  const std::string night_text = SummaryJson(late);
  EXPECT_NE(night_text.find("\"pace_per_minute\":0.3,"), std::string::npos) << "not 0.30000000000000004";
  const auto j = nlohmann::json::parse(night_text);
  ASSERT_TRUE(j["stations"][0]["estimated_end"].is_string()) << j["stations"][0];
  EXPECT_EQ(j["stations"][0]["estimated_end"], "2024-04-23 00:05");
}

TEST(ClassView, ListsEveryStudentWithNameStatusShotAndAnomalies) {
  const Fixture f;
  auto text = ClassJson(f.Inputs(), "A2101");
  ASSERT_TRUE(text.has_value());
  const auto j = nlohmann::json::parse(*text);
  ASSERT_EQ(j["students"].size(), 3u);
  EXPECT_EQ(j["students"][0]["name"], "张三");
  EXPECT_EQ(j["students"][1]["shot"], 2);
  EXPECT_EQ(j["students"][1]["anomalies"], nlohmann::json::array({"A3"}));
  EXPECT_EQ(j["students"][0]["image_sha256"], std::string(64, 'a'));
  EXPECT_TRUE(j["students"][1]["image_sha256"].is_null()) << "a photo whose hash the record lacks";
  EXPECT_TRUE(j["students"][2]["shot"].is_null());
  EXPECT_TRUE(j["students"][2]["image_sha256"].is_null());
  EXPECT_EQ(j["students"][2]["status"], "missing");
  EXPECT_FALSE(ClassJson(f.Inputs(), "nope").has_value());
}

TEST(LoopViews, RefreshesTheAssignmentOnlyWhenTheRecordGrewAndTheIntervalPassed) {
  auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  LoopViews views(Directory::Build(TwoStations(), TwoStationsRoster(), Config()), [&] { return now; });
  judge::Judge judge(TwoStations(), TwoStationsRoster(), Config());
  auto covered = [&](uint64_t commit_index) {
    return nlohmann::json::parse(views.Summary(judge, commit_index, kMidnight))["assignment_commit_index"];
  };
  EXPECT_EQ(covered(1), 1);
  EXPECT_EQ(covered(2), 1) << "within the interval the copy stands";
  now += std::chrono::milliseconds(100);
  EXPECT_EQ(covered(2), 2);
  now += std::chrono::seconds(10);
  EXPECT_EQ(covered(2), 2);
  auto students = nlohmann::json::parse(*views.Class(judge, "A2101", 3, kMidnight))["students"];
  ASSERT_EQ(students.size(), 3u);
  EXPECT_EQ(students[0]["name"], "张三");
  EXPECT_FALSE(views.Class(judge, "nope", 3, kMidnight).has_value());
}

// ---- the EXIF preview ----

// A JPEG as a camera writes it: SOI, APP0 (JFIF), APP1 (Exif) holding `tiff`, a scan, EOI.
std::string CameraJpeg(const std::string& tiff) {
  const std::string app1 = std::string("Exif\0\0", 6) + tiff;
  std::string jpeg("\xFF\xD8\xFF\xE0\x00\x07JFIF\x00", 11);
  jpeg += "\xFF\xE1";
  jpeg += static_cast<char>((app1.size() + 2) >> 8);
  jpeg += static_cast<char>((app1.size() + 2) & 0xFF);
  return jpeg + app1 + "\xFF\xDA\x00\x02scan\xFF\xD9";
}

// A TIFF in either byte order: IFD0 holds `orientation` (when not 0) and leads to IFD1, which holds
// the preview's offset and length (`offset` 0: just after IFD1); the preview follows IFD1.
std::string ExifTiff(bool big_endian, uint16_t orientation, const std::string& preview, uint32_t offset = 0,
                     std::optional<uint32_t> length = std::nullopt) {
  auto u16 = [&](uint32_t v) {
    const char a = static_cast<char>(v >> 8), b = static_cast<char>(v & 0xFF);
    return big_endian ? std::string{a, b} : std::string{b, a};
  };
  auto u32 = [&](uint32_t v) { return big_endian ? u16(v >> 16) + u16(v & 0xFFFF) : u16(v & 0xFFFF) + u16(v >> 16); };
  auto entry = [&](uint16_t tag, uint16_t type, uint32_t value) {
    return u16(tag) + u16(type) + u32(1) + (type == 3 ? u16(value) + u16(0) : u32(value));
  };
  const uint32_t ifd0_entries = orientation != 0 ? 1 : 0;
  const uint32_t ifd1 = 8 + 2 + 12 * ifd0_entries + 4;
  const uint32_t after = ifd1 + 2 + 2 * 12 + 4;
  std::string tiff = (big_endian ? "MM" : "II") + u16(42) + u32(8) + u16(ifd0_entries);
  if (orientation != 0) tiff += entry(0x0112, 3, orientation);
  tiff += u32(ifd1) + u16(2) + entry(0x0201, 4, offset != 0 ? offset : after) +
          entry(0x0202, 4, length.value_or(static_cast<uint32_t>(preview.size()))) + u32(0);
  return tiff + preview;
}

const std::string kPreview("\xFF\xD8\xFF\xDBpreview pixels\xFF\xD9", 20);

TEST(ExifThumbnail, IsThePreviewInIfd1InEitherByteOrder) {
  EXPECT_EQ(ExifThumbnail(CameraJpeg(ExifTiff(false, 0, kPreview))), kPreview);
  EXPECT_EQ(ExifThumbnail(CameraJpeg(ExifTiff(true, 0, kPreview))), kPreview);
  EXPECT_EQ(ExifThumbnail(CameraJpeg(ExifTiff(true, 1, kPreview))), kPreview) << "upright needs nothing";
}

TEST(ExifThumbnail, CarriesTheImagesOrientationIntoThePreview) {
  // Orientation 6 (turn 90° clockwise) in a big-endian IFD0 of its own, just after the preview's SOI.
  const std::string segment(
      "\xFF\xE1\x00\x22"
      "Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0",
      36);
  EXPECT_EQ(ExifThumbnail(CameraJpeg(ExifTiff(false, 6, kPreview))), "\xFF\xD8" + segment + kPreview.substr(2));
  EXPECT_EQ(ExifThumbnail(CameraJpeg(ExifTiff(true, 9, kPreview))), kPreview) << "no such orientation";
}

TEST(ExifThumbnail, IsNoneWithoutAPreviewOrWhereTheExifPointsOutside) {
  const std::string tiff = ExifTiff(false, 6, kPreview);
  EXPECT_FALSE(ExifThumbnail(""));
  EXPECT_FALSE(ExifThumbnail("not a jpeg at all"));
  EXPECT_FALSE(ExifThumbnail(std::string("\xFF\xD8\xFF\xDA\x00\x02scan\xFF\xD9", 10))) << "no Exif";
  EXPECT_FALSE(ExifThumbnail(CameraJpeg("XX" + tiff.substr(2)))) << "no byte order";
  std::string no_ifd1 = tiff;
  no_ifd1.replace(8 + 2 + 12, 4, std::string(4, '\0'));
  EXPECT_FALSE(ExifThumbnail(CameraJpeg(no_ifd1)));
  EXPECT_FALSE(ExifThumbnail(CameraJpeg(ExifTiff(false, 0, kPreview, 4000)))) << "offset past the segment";
  EXPECT_FALSE(ExifThumbnail(CameraJpeg(ExifTiff(false, 0, kPreview, 0, 4000)))) << "length past the segment";
  EXPECT_FALSE(ExifThumbnail(CameraJpeg(ExifTiff(false, 0, kPreview, 0xFFFFFFF0u, 0x20)))) << "offset + length wraps";
  EXPECT_FALSE(ExifThumbnail(CameraJpeg(ExifTiff(false, 0, "no JPEG here"))));

  // Cut anywhere, or any byte changed, it finds the preview whole or nothing, and reads only what it
  // was given (a copy of exactly that size each time, for the sanitizers).
  const std::string whole = CameraJpeg(tiff);
  for (size_t n = 0; n < whole.size(); ++n) {
    const std::string cut = whole.substr(0, n);
    const auto found = ExifThumbnail(cut);
    if (found) {
      EXPECT_EQ(found->substr(found->size() - 10), kPreview.substr(10)) << "cut at " << n;
    }
  }
  for (size_t i = 0; i < whole.size(); ++i) {
    for (unsigned char v : {0x00, 0x7F, 0xFF}) {
      std::string changed = whole;
      changed[i] = static_cast<char>(v);
      (void)ExifThumbnail(changed);
    }
  }
}

TEST(ExifThumbnail, FindsThePreviewOfTheTestCameraImage) {
  const auto image = ReadFile(std::string(DASHBOARD_TEST_DATA_DIR) + "/photo-with-preview.jpg");
  ASSERT_TRUE(image.ok()) << image.status().message();
  const auto preview = ExifThumbnail(*image);
  ASSERT_TRUE(preview.has_value());
  EXPECT_LT(preview->size(), image->size() / 2);
  EXPECT_EQ(preview->substr(0, 4), "\xFF\xD8\xFF\xE1") << "turned like the image (Orientation 6)";
  EXPECT_EQ(preview->substr(preview->size() - 2), "\xFF\xD9");
}

// ---- the server with no loop behind it ----

// A dashboard whose loop never answers (every view times out) with the test camera image in its
// image store: what the HTTP threads decide alone.
class ServerWithoutLoop : public ::testing::Test {
 protected:
  void SetUp() override {
    auto image = ReadFile(std::string(DASHBOARD_TEST_DATA_DIR) + "/photo-with-preview.jpg");
    ASSERT_TRUE(image.ok()) << image.status().message();
    image_ = std::move(*image);
    sha256_ = ComputeSha256(image_);
    ASSERT_TRUE(ImageStore(dir_.path()).Put(image_, sha256_).ok());
  }

  // Serves on `host` (any port), reached through 127.0.0.1 whatever the host: `port_`.
  void Start(const std::string& host) {
    ServerOptions options;
    options.host = host;
    options.port = 0;
    options.control_endpoint = {"tcp://127.0.0.1:1", {}};  // nobody
    options.token = kToken;
    options.loop_timeout = std::chrono::milliseconds(200);
    options.image_store_dir = dir_.path();
    auto server = DashboardServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
    port_ = testing::PortOf(server_->url());
  }

  std::string PhotoPath() const { return "/api/photo/" + ToHex(sha256_); }

  // Every request that reads: the data, the stream's first event aside.
  std::vector<std::string> Reads() const {
    return {"/api/status", "/api/dashboard", "/api/class?name=A2101", "/metrics", PhotoPath(),
            PhotoPath() + "?size=thumb"};
  }

  // The first event of a stream opened with `headers`, or nullopt when none came within 2 s.
  std::optional<std::string> FirstEvent(const testing::Headers& headers) const {
    auto stream = testing::EventStream::Open(port_, headers);
    if (!stream.ok()) return std::nullopt;
    return (*stream)->ReadEvent(std::chrono::steady_clock::now() + std::chrono::seconds(2));
  }

  // The session value of a successful POST /api/session's Set-Cookie; empty otherwise.
  static std::string SessionOf(const Result<testing::HttpReply>& reply) {
    if (!reply.ok() || reply->status != 200 || reply->headers.count("set-cookie") == 0) return "";
    const std::string& cookie = reply->headers.at("set-cookie");
    const std::string prefix = "capture_session=", suffix = "; HttpOnly; SameSite=Strict; Path=/";
    if (cookie.rfind(prefix, 0) != 0 || cookie.size() <= prefix.size() + suffix.size() ||
        cookie.substr(cookie.size() - suffix.size()) != suffix) {
      return "";
    }
    return cookie.substr(prefix.size(), cookie.size() - prefix.size() - suffix.size());
  }

  const std::string kToken = std::string(63, 'a') + "b";
  const std::string kBearer = "Bearer " + kToken;
  const capture::testing::TempDir dir_;
  std::string image_;
  Sha256 sha256_{};
  std::unique_ptr<DashboardServer> server_;
  int port_ = 0;
};

TEST_F(ServerWithoutLoop, ServesPhotosAndTheirPreviewsWhileTheLoopDoesNotAnswer) {
  const std::string plain = "\xFF\xD8 no preview \xFF\xD9";
  ASSERT_TRUE(ImageStore(dir_.path()).Put(plain, ComputeSha256(plain)).ok());
  ASSERT_NO_FATAL_FAILURE(Start("127.0.0.1"));

  auto status = testing::Get(port_, "/api/status");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->status, 503) << "the loop is not there";

  auto photo = testing::Get(port_, PhotoPath());
  ASSERT_TRUE(photo.ok()) << photo.status().message();
  EXPECT_EQ(photo->status, 200) << photo->body;
  EXPECT_TRUE(photo->body == image_) << "not the filed bytes";
  auto preview = testing::Get(port_, PhotoPath() + "?size=thumb");
  ASSERT_TRUE(preview.ok());
  EXPECT_EQ(preview->status, 200) << preview->body;
  EXPECT_EQ(preview->headers["content-type"], "image/jpeg");
  EXPECT_TRUE(std::optional<std::string>(preview->body) == ExifThumbnail(image_)) << "not the EXIF preview";
  auto whole = testing::Get(port_, "/api/photo/" + ToHex(ComputeSha256(plain)) + "?size=thumb");
  ASSERT_TRUE(whole.ok());
  EXPECT_TRUE(whole->body == plain) << "no preview: the image itself";

  auto bad_size = testing::Get(port_, PhotoPath() + "?size=huge");
  ASSERT_TRUE(bad_size.ok());
  EXPECT_EQ(bad_size->status, 400) << bad_size->body;
  auto post = testing::Post(port_, PhotoPath(), "", std::nullopt);
  ASSERT_TRUE(post.ok());
  EXPECT_EQ(post->status, 405) << post->body;
  EXPECT_EQ(post->headers["allow"], "GET");
}

TEST_F(ServerWithoutLoop, OnLoopbackReadingNeedsNoToken) {
  ASSERT_NO_FATAL_FAILURE(Start("127.0.0.1"));
  for (const std::string& path : Reads()) {
    auto reply = testing::Get(port_, path);
    ASSERT_TRUE(reply.ok()) << path;
    EXPECT_NE(reply->status, 401) << path << ": " << reply->body;
  }
  EXPECT_EQ(testing::Get(port_, PhotoPath())->status, 200);
  EXPECT_TRUE(FirstEvent({}).has_value()) << "no event without a token";
}

TEST_F(ServerWithoutLoop, OnANetworkAddressEveryReadNeedsTheTokenButThePageDoesNot) {
  // Reached through 127.0.0.1: the address bound decides, not the peer's.
  ASSERT_NO_FATAL_FAILURE(Start("0.0.0.0"));
  for (const char* path : {"/", "/app.js", "/style.css"}) {
    auto page = testing::Get(port_, path);
    ASSERT_TRUE(page.ok()) << path;
    EXPECT_EQ(page->status, 200) << path << " must stay open: the page asks for the token";
  }

  std::vector<std::string> refused = Reads();
  refused.push_back("/api/events");
  refused.push_back("/api/nothing-here");  // no path tells whether it exists
  for (const std::string& path : refused) {
    for (const testing::Headers& headers :
         {testing::Headers{}, testing::Headers{{"Authorization", "Bearer " + std::string(64, 'a')}},
          testing::Headers{{"Authorization", kToken}}, testing::Headers{{"Cookie", "capture_session=" + kToken}}}) {
      auto reply = testing::Get(port_, path, headers);
      ASSERT_TRUE(reply.ok()) << path;
      EXPECT_EQ(reply->status, 401) << path << " " << (headers.empty() ? "" : headers[0].second) << ": " << reply->body;
      const auto body = nlohmann::json::parse(reply->body, nullptr, false);
      ASSERT_TRUE(body.is_object() && body["error"].is_string()) << reply->body;
      EXPECT_NE(body["error"].get<std::string>().find("registrar.token"), std::string::npos)
          << "the refusal says where the token is: " << reply->body;
      EXPECT_EQ(reply->headers["www-authenticate"], "Bearer realm=\"registrar\"");
      EXPECT_EQ(reply->body.find("\xFF\xD8"), std::string::npos) << "image bytes in a refusal";
    }
  }
  auto head = testing::SendRaw(port_, "HEAD " + PhotoPath() + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->status, 401) << "HEAD tells whether the photo is there";
  EXPECT_FALSE(FirstEvent({}).has_value()) << "an event without the token";

  // With the bearer token (a Prometheus scraper, curl): through to the views, which time out here.
  for (const std::string& path : Reads()) {
    auto reply = testing::Get(port_, path, {{"Authorization", kBearer}});
    ASSERT_TRUE(reply.ok()) << path;
    EXPECT_EQ(reply->status, path.rfind("/api/photo/", 0) == 0 ? 200 : 503) << path << ": " << reply->body;
  }
  EXPECT_TRUE(testing::Get(port_, PhotoPath(), {{"Authorization", kBearer}})->body == image_);
  const auto event = FirstEvent({{"Authorization", kBearer}});
  ASSERT_TRUE(event.has_value()) << "no event with the token";
  EXPECT_NE(event->find("did not answer"), std::string::npos) << *event;
}

TEST_F(ServerWithoutLoop, OnlyTheRightTokenOpensASessionWhoseCookieStandsInForIt) {
  ASSERT_NO_FATAL_FAILURE(Start("0.0.0.0"));
  std::string wrong = kToken;
  wrong.back() = 'c';
  for (const std::string& body : {R"({"token":")" + wrong + R"("})", R"({"token":")" + kToken + R"(0"})",
                                  std::string(R"({"token":""})"), R"({"token":" )" + kToken + R"("})"}) {
    auto reply = testing::Post(port_, "/api/session", body, std::nullopt);
    ASSERT_TRUE(reply.ok());
    EXPECT_EQ(reply->status, 401) << body << ": " << reply->body;
    EXPECT_NE(reply->body.find("not the registrar token"), std::string::npos) << reply->body;
    EXPECT_EQ(reply->headers.count("set-cookie"), 0u) << body;
  }
  for (const std::optional<std::string>& auth :
       {std::optional<std::string>(), std::optional<std::string>("Bearer " + wrong)}) {
    auto reply = testing::Post(port_, "/api/session", "", auth);
    ASSERT_TRUE(reply.ok());
    EXPECT_EQ(reply->status, 401) << auth.value_or("(no header)") << ": " << reply->body;
    EXPECT_EQ(reply->headers.count("set-cookie"), 0u);
  }
  auto bad = testing::Post(port_, "/api/session", R"({"token":")" + kToken + R"(","user":"me"})", std::nullopt);
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400) << bad->body;
  EXPECT_EQ(bad->headers.count("set-cookie"), 0u);

  const std::string session = SessionOf(testing::Post(port_, "/api/session", R"({"token":")" + kToken + R"("})",
                                                      std::nullopt));
  ASSERT_EQ(session.size(), 96u) << "no session cookie for the token in the body";
  EXPECT_EQ(session.find(kToken.substr(0, 16)), std::string::npos) << "the cookie is not the token";
  const std::string by_header = SessionOf(testing::Post(port_, "/api/session", "", kBearer));
  ASSERT_EQ(by_header.size(), 96u) << "no session cookie for the token in the header";
  EXPECT_NE(by_header, session);

  const testing::Headers cookie = {{"Cookie", "theme=dark; capture_session=" + session}};
  for (const std::string& path : Reads()) {
    auto reply = testing::Get(port_, path, cookie);
    ASSERT_TRUE(reply.ok()) << path;
    EXPECT_EQ(reply->status, path.rfind("/api/photo/", 0) == 0 ? 200 : 503) << path << ": " << reply->body;
  }
  EXPECT_TRUE(testing::Get(port_, PhotoPath(), cookie)->body == image_);
  EXPECT_TRUE(FirstEvent(cookie).has_value()) << "no event with the session cookie";
  EXPECT_EQ(testing::Get(port_, PhotoPath(), {{"Cookie", "capture_session=" + by_header}})->status, 200);

  std::string forged = session;
  forged[40] = forged[40] == '0' ? '1' : '0';
  EXPECT_EQ(testing::Get(port_, PhotoPath(), {{"Cookie", "capture_session=" + forged}})->status, 401);
  const std::string elsewhere = Sessions().Issue();  // another coordinator's session
  EXPECT_EQ(testing::Get(port_, PhotoPath(), {{"Cookie", "capture_session=" + elsewhere}})->status, 401);
}

TEST_F(ServerWithoutLoop, ResolvingWithTheSessionCookieNeedsTheDashboardsOwnOrigin) {
  ASSERT_NO_FATAL_FAILURE(Start("0.0.0.0"));
  const std::string session =
      SessionOf(testing::Post(port_, "/api/session", R"({"token":")" + kToken + R"("})", std::nullopt));
  ASSERT_FALSE(session.empty());
  const std::string body = R"({"id":"A1","reason":"checked"})";
  const std::string own = "http://127.0.0.1:" + std::to_string(port_);
  auto resolve = [&](const testing::Headers& headers) {
    auto reply = testing::Post(port_, "/api/resolve", body, std::nullopt, headers);
    return reply.ok() ? reply->status : 0;
  };
  EXPECT_EQ(resolve({}), 401);
  EXPECT_EQ(resolve({{"Origin", own}}), 401);
  EXPECT_EQ(resolve({{"Cookie", "capture_session=" + Sessions().Issue()}, {"Origin", own}}), 401);
  // Refused before the loop is asked (which would answer 503 here).
  EXPECT_EQ(resolve({{"Cookie", "capture_session=" + session}, {"Origin", "http://127.0.0.1:8080"}}), 403);
  EXPECT_EQ(resolve({{"Cookie", "capture_session=" + session}, {"Origin", "http://evil.example"}}), 403);
  EXPECT_EQ(resolve({{"Cookie", "capture_session=" + session}, {"Origin", "null"}}), 403);
  // Let through to the loop.
  EXPECT_EQ(resolve({{"Cookie", "capture_session=" + session}, {"Origin", own}}), 503);
  EXPECT_EQ(resolve({{"Cookie", "capture_session=" + session}}), 503) << "no Origin: no page sent it";
  auto bearer = testing::Post(port_, "/api/resolve", body, kBearer, {{"Origin", "http://evil.example"}});
  ASSERT_TRUE(bearer.ok());
  EXPECT_EQ(bearer->status, 503) << "the token itself is no cookie a page can borrow";
}

// The page and the console call each anomaly kind by one Chinese name (common/language.cc): the
// operator and the registrar talk about the same thing. Fails when a kind is added or renamed in one.
TEST(PageLanguage, NamesEveryAnomalyKindInChineseAsTheConsoleDoes) {
  std::string_view app;
  for (const Asset& asset : EmbeddedAssets()) {
    if (asset.path == "/app.js") app = asset.body;
  }
  ASSERT_FALSE(app.empty());
  const google::protobuf::EnumDescriptor* kinds = wire::Anomaly::Kind_descriptor();
  for (int i = 0; i < kinds->value_count(); ++i) {
    const auto kind = static_cast<wire::Anomaly::Kind>(kinds->value(i)->number());
    if (kind == wire::Anomaly::KIND_UNSPECIFIED) continue;
    const std::string entry = "\"kind." + wire::Anomaly::Kind_Name(kind) + "\": \"" +
                              std::string(KindName(kind, Language::kZh)) + "\"";
    EXPECT_NE(app.find(entry), std::string_view::npos) << entry << " is not in app.js";
    EXPECT_NE(KindName(kind, Language::kZh), wire::Anomaly::Kind_Name(kind)) << "no Chinese name for the kind";
  }
}

}  // namespace
}  // namespace capture::dashboard
