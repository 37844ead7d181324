// The dashboard of a real coordinator during and after simulated days played by capture-sim
// through real station agents: /metrics read strictly against the day's summary, hostile HTTP
// input while events keep being stored, the registrar token, the live event stream, photos
// served from the coordinator's image store, and a dashboard on a network address, which shows
// nothing without the token.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/fs.h"
#include "common/schedule.h"
#include "common/sha256.h"
#include "coordinator/control_client.h"
#include "coordinator/dashboard/http_api.h"
#include "coordinator/status_client.h"
#include "tests/dashboard/http_client.h"
#include "tests/dashboard/prometheus_text.h"
#include "tests/tools/test_support.h"
#include "tools/capture-sim/output_line.h"
#include "tools/capture-sim/process.h"

namespace capture::dashboard {
namespace {

using namespace std::chrono_literals;
using sim::ChildProcess;
using sim::testing::Bin;
using sim::testing::FileText;
using sim::testing::TempDir;
using testing::HttpReply;
using Json = nlohmann::json;

constexpr const char* kSeed = "3";

// An HTTP error reply as the API promises it: a 4xx and {"error":"<a sentence>"}.
::testing::AssertionResult IsClientError(const Result<HttpReply>& reply, int status, const std::string& says) {
  if (!reply.ok()) return ::testing::AssertionFailure() << "no reply: " << reply.status().message();
  const Json body = Json::parse(reply->body, nullptr, false);
  if (reply->status != status) {
    return ::testing::AssertionFailure() << "status " << reply->status << " (wanted " << status << "): " << reply->body;
  }
  if (!body.is_object() || !body.contains("error") || !body["error"].is_string()) {
    return ::testing::AssertionFailure() << "not a JSON error: " << reply->body;
  }
  if (body["error"].get<std::string>().find(says) == std::string::npos) {
    return ::testing::AssertionFailure() << "the error does not say \"" << says << "\": " << reply->body;
  }
  if (reply->headers.count("content-type") == 0 ||
      reply->headers.at("content-type").rfind("application/json", 0) != 0) {
    return ::testing::AssertionFailure() << "not served as JSON";
  }
  return ::testing::AssertionSuccess();
}

class DashboardDay : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string schedule = std::string(CAPTURE_DATA_DIR) + "/three-stations.csv";
    ASSERT_TRUE(WriteFileDurably(dir_ / "schedule.csv", *ReadFile(schedule)).ok());
    sim::testing::SimRun kit = sim::testing::RunCaptureSim(
        {"kit", dir_ / "kit", "--schedule", dir_ / "schedule.csv", "--seed", kSeed}, dir_ / "kit.log");
    ASSERT_TRUE(kit.exit.Succeeded()) << FileText(dir_ / "kit.log");
  }

  // Starts the coordinator with `http` as its --http (none: the flag left out); its ready line in `ready_`.
  void StartCoordinator(std::optional<std::string> http = "127.0.0.1:0") {
    std::vector<std::string> argv = {Bin("coordinator"),
                                     "--store",
                                     dir_ / "store",
                                     "--schedule",
                                     dir_ / "schedule.csv",
                                     "--roster",
                                     dir_ / "kit/roster.csv",
                                     "--station-keys",
                                     dir_ / "kit/station-keys.csv",
                                     "--sim-time",
                                     "--events",
                                     "tcp://127.0.0.1:*",
                                     "--control",
                                     "tcp://127.0.0.1:*"};
    if (http) argv.insert(argv.end(), {"--http", *http});
    auto child = ChildProcess::Spawn(argv, dir_ / "coordinator.log");
    ASSERT_TRUE(child.ok()) << child.status().message();
    coordinator_ = std::move(*child);
    auto ready = coordinator_->WaitForLine([](const std::string& l) { return l.rfind("ready ", 0) == 0; }, 30s,
                                           "the coordinator's ready line");
    ASSERT_TRUE(ready.ok()) << ready.status().message() << "\n" << FileText(dir_ / "coordinator.log");
    ready_ = *ready;
    const sim::OutputLine line = sim::ParseOutputLine(ready_);
    events_ = line.Get("events").value_or("");
    auto control = coord::RegistrarEndpoint(line.Get("control").value_or(""), dir_ / "store");
    ASSERT_TRUE(control.ok()) << control.status().message();
    control_ = std::move(*control);
    port_ = testing::PortOf(line.Get("http").value_or(""));
  }

  std::vector<std::string> DayArgs(int faults) const {
    return {"--schedule", dir_ / "schedule.csv",
            "--work",     dir_ / "work",
            "--seed",     kSeed,
            "--faults",   std::to_string(faults),
            "--summary",  dir_ / "summary.json",
            "--bin-dir",  CAPTURE_BIN_DIR,
            "--events",   events_,
            "--control",  control_.address,
            "--coordinator-store", dir_ / "store",
            "--keys",     dir_ / "kit"};
  }

  void PlayDay(int faults) {
    sim::testing::SimRun day = sim::testing::RunCaptureSim(DayArgs(faults), dir_ / "sim.log");
    ASSERT_EQ(day.exit.exit_code, 0) << day.exit.ToString() << "\n" << FileText(dir_ / "sim.log");
  }

  void StopCoordinator() {
    ASSERT_TRUE(coordinator_->Signal(SIGTERM).ok());
    auto exit = coordinator_->Wait(15s);
    ASSERT_TRUE(exit.ok()) << exit.status().message();
    EXPECT_TRUE(exit->Succeeded()) << exit->ToString() << "\n" << FileText(dir_ / "coordinator.log");
  }

  std::string Token() const {
    std::string token = FileText(dir_ / "store/registrar.token");
    while (!token.empty() && token.back() == '\n') token.pop_back();
    return token;
  }

  // The test camera image, filed in the coordinator's image store as the store files one:
  // <store>/images/<2 hex>/<64 hex>.jpg.
  struct FiledImage {
    std::string bytes, hex, file;
  };
  FiledImage FileCameraImage() const {
    FiledImage filed;
    filed.bytes = FileText(std::string(DASHBOARD_TEST_DATA_DIR) + "/photo-with-preview.jpg");
    EXPECT_FALSE(filed.bytes.empty());
    filed.hex = ToHex(ComputeSha256(filed.bytes));
    const std::string folder = dir_ / ("store/images/" + filed.hex.substr(0, 2));
    std::filesystem::create_directories(folder);
    filed.file = folder + "/" + filed.hex + ".jpg";
    EXPECT_TRUE(WriteFileDurably(filed.file, filed.bytes).ok());
    return filed;
  }

  // The REGISTRAR_RESOLVE observations the coordinator has recorded since it started.
  uint64_t RegistrarResolves() const {
    auto resolves = coord::QueryCounter(control_, "observations{kind=\"REGISTRAR_RESOLVE\"}", 5000);
    EXPECT_TRUE(resolves.ok()) << resolves.status().message();
    return resolves.ok() ? *resolves : 0;
  }

  bool IsOpen(const std::string& id) const {
    wire::ExportRequest request;
    request.set_what(wire::ExportRequest::ANOMALIES);
    request.set_open_only(true);
    auto exported = coord::RequestExport(control_, request, 5000);
    EXPECT_TRUE(exported.ok()) << exported.status().message();
    return exported.ok() && exported->text().find("{\"id\":\"" + id + "\",") != std::string::npos;
  }

  TempDir dir_;
  std::unique_ptr<ChildProcess> coordinator_;
  std::string ready_, events_;
  coord::ControlEndpoint control_;
  int port_ = 0;
};

// ---- /metrics (acceptance point 2) ----

TEST_F(DashboardDay, MetricsOfAFaultyDayParseStrictlyAndAgreeWithTheDaysSummary) {
  StartCoordinator();
  ASSERT_GT(port_, 0) << ready_;
  PlayDay(20);
  const Json summary = Json::parse(FileText(dir_ / "summary.json"), nullptr, false);
  ASSERT_TRUE(summary.is_object()) << FileText(dir_ / "summary.json");

  // The anomalies the metrics count are the export's, read at the same commit index (the stations
  // go silent after the day, which the coordinator records, so the record may still grow).
  std::optional<testing::Exposition> metrics;
  size_t open_exported = 0;
  for (int attempt = 0; attempt < 20 && !metrics; ++attempt) {
    auto reply = testing::Get(port_, "/metrics");
    ASSERT_TRUE(reply.ok()) << reply.status().message();
    ASSERT_EQ(reply->status, 200) << reply->body;
    EXPECT_EQ(reply->headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    auto parsed = testing::ParseExposition(reply->body);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message() << "\n" << reply->body;
    wire::ExportRequest request;
    request.set_what(wire::ExportRequest::ANOMALIES);
    request.set_open_only(true);
    auto exported = coord::RequestExport(control_, request, 5000);
    ASSERT_TRUE(exported.ok()) << exported.status().message();
    if (static_cast<double>(exported->commit_index()) != parsed->Value("capture_commit_index")) continue;
    open_exported = static_cast<size_t>(std::count(exported->text().begin(), exported->text().end(), '\n'));
    metrics = std::move(*parsed);
  }
  ASSERT_TRUE(metrics.has_value()) << "the record never held still";

  uint64_t sent_total = 0;
  for (const Json& s : summary["stations"]) {
    const std::map<std::string, std::string> station = {{"station", std::to_string(s["station"].get<int>())}};
    const double sent = s["events_sent"].get<double>();
    sent_total += static_cast<uint64_t>(sent);
    EXPECT_EQ(metrics->Value("capture_events_stored_total", station), sent) << s;
    EXPECT_GE(*metrics->Value("capture_events_received_total", station), sent) << s;
    EXPECT_EQ(metrics->Value("capture_station_lag_events", station), 0) << s;
    EXPECT_TRUE(metrics->Value("capture_resend_requests_total", station).has_value());
    EXPECT_GT(*metrics->Value("capture_heartbeats_total", station), 0);
    EXPECT_GE(metrics->Value("capture_hellos_total", station).value_or(0), 1) << s;
  }
  EXPECT_GT(sent_total, 0u);
  EXPECT_EQ(metrics->types.at("capture_events_stored_total"), "counter");
  EXPECT_EQ(metrics->Sum("capture_frames_rejected_total"), 0) << "a clean wire rejects nothing";
  EXPECT_EQ(metrics->types.at("capture_duplicates_ignored_total"), "counter");
  // The day ended once every image was filed, each once: this coordinator filed them all.
  EXPECT_EQ(metrics->Value("capture_images_stored_total"), summary["totals"]["images_filed"].get<double>());
  EXPECT_EQ(metrics->Value("capture_images_waiting"), 0);
  EXPECT_EQ(metrics->types.at("capture_images_stored_total"), "counter");
  // Every item of this fresh record was committed live, and timed.
  const double commits = *metrics->Value("capture_commits_total");
  EXPECT_GT(commits, 0);
  EXPECT_EQ(metrics->Value("capture_commit_batch_items_count"), commits);
  EXPECT_EQ(metrics->Value("capture_commit_seconds_count"), commits);
  EXPECT_EQ(metrics->Value("capture_commit_batch_items_sum"), metrics->Value("capture_commit_index"));
  EXPECT_GT(*metrics->Value("capture_commit_seconds_sum"), 0);
  EXPECT_EQ(metrics->types.at("capture_commit_seconds"), "histogram");
  // Open anomalies by kind and severity add up to the export's open ones; the faults raised blockers.
  EXPECT_EQ(metrics->Sum("capture_anomalies_open"), static_cast<double>(open_exported));
  double blockers = 0;
  for (const testing::Sample& s : metrics->samples) {
    if (s.name == "capture_anomalies_open" && s.labels.at("severity") == "BLOCKER") blockers += s.value;
  }
  EXPECT_GT(blockers, 0);
  EXPECT_GE(*metrics->Value("capture_anomalies_raised_total"), metrics->Sum("capture_anomalies_open"));
  StopCoordinator();
}

// ---- hostile input (acceptance point 7) ----

TEST_F(DashboardDay, HostileRequestsGetAClearClientErrorWhileEventsKeepBeingStored) {
  StartCoordinator();
  ASSERT_GT(port_, 0) << ready_;
  const std::string token = Token();

  // Each check sends one hostile request; between them the record's commit index is sampled.
  const std::string big(kMaxBodyBytes + 1, 'x');
  const std::string bearer = "Bearer " + token;
  const std::vector<std::function<void()>> checks = {
      [&] { EXPECT_TRUE(IsClientError(testing::Post(port_, "/api/resolve", big, bearer), 413, "64 KiB")); },
      [&] {
        EXPECT_TRUE(IsClientError(
            testing::SendRaw(port_, "POST /api/resolve HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: " +
                                        bearer + "\r\nTransfer-Encoding: chunked\r\n\r\n11000\r\n" +
                                        std::string(0x11000, 'y') + "\r\n0\r\n\r\n"),
            411, "Content-Length"));
      },
      [&] {
        EXPECT_TRUE(
            IsClientError(testing::SendRaw(port_, "POST /api/resolve HTTP/1.1\r\nHost: x\r\nAuthorization: " + bearer +
                                                      "\r\n\r\n{\"id\":\"A1\",\"reason\":\"read to the end\"}"),
                          411, "Content-Length"));
      },
      [&] {
        EXPECT_TRUE(IsClientError(testing::Post(port_, "/api/resolve", "{\"id\":\"A1\",", bearer), 400, "not JSON"));
      },
      [&] { EXPECT_TRUE(IsClientError(testing::Post(port_, "/api/resolve", "\"A1\"", bearer), 400, "JSON object")); },
      [&] {
        EXPECT_TRUE(IsClientError(testing::Post(port_, "/api/resolve", R"({"id":"A1"})", bearer), 400,
                                  "\"reason\" is missing"));
      },
      [&] {
        EXPECT_TRUE(IsClientError(testing::Post(port_, "/api/resolve", R"({"id":"A1","reason":"x"})", std::nullopt),
                                  401, "registrar token"));
      },
      [&] {
        EXPECT_TRUE(IsClientError(testing::Post(port_, "/api/resolve", R"({"id":"A1","reason":"x"})", "Bearer wrong"),
                                  401, "registrar token"));
      },
      [&] {
        for (const char* path :
             {"/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/app.js/../../../etc/passwd", "//etc/passwd",
              "/api/../../etc/passwd", "/%2fetc%2fpasswd", "/..%2f..%2fetc%2fpasswd", "/index.html%00.js", "/nope"}) {
          auto reply = testing::Get(port_, path);
          EXPECT_TRUE(IsClientError(reply, 404, "no such resource")) << path;
          if (reply.ok()) {
            EXPECT_EQ(reply->body.find("root:"), std::string::npos) << path;
          }
        }
      },
      [&] { EXPECT_TRUE(IsClientError(testing::Post(port_, "/metrics", "", std::nullopt), 405, "GET only")); },
      [&] { EXPECT_TRUE(IsClientError(testing::Get(port_, "/api/resolve"), 405, "POST only")); },
      [&] { EXPECT_TRUE(IsClientError(testing::Get(port_, "/api/class"), 400, "which class")); },
      [&] {
        EXPECT_TRUE(IsClientError(testing::Get(port_, "/api/class?name=" + std::string(300, 'c')), 400, "too long"));
      },
      [&] {
        EXPECT_TRUE(
            IsClientError(testing::Get(port_, "/api/class?name=%3Cscript%3E"), 404, "no class named \"<script>\""));
      },
      [&] { EXPECT_TRUE(IsClientError(testing::SendRaw(port_, "NOT HTTP AT ALL\r\n\r\n"), 400, "malformed")); },
      [&] { EXPECT_TRUE(IsClientError(testing::Get(port_, "/" + std::string(10000, 'a')), 414, "too long")); },
  };

  auto sim = ChildProcess::Spawn(
      [&] {
        std::vector<std::string> argv = {Bin("capture-sim")};
        const std::vector<std::string> args = DayArgs(5);
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
      }(),
      dir_ / "sim.log");
  ASSERT_TRUE(sim.ok()) << sim.status().message();
  std::atomic<bool> day_over{false};
  std::vector<uint64_t> commits;  // sampled before each hostile request
  int rounds = 0;
  std::thread hostile([&] {
    do {
      for (const auto& check : checks) {
        auto status = coord::QueryStatus(control_, 5000);
        if (status.ok()) commits.push_back(status->commit_index());
        check();
      }
      ++rounds;
    } while (!day_over);
  });
  while (!(*sim)->at_eof()) (*sim)->ReadLine(sim::Clock::now() + 60s);
  auto exit = (*sim)->Wait(60s);
  day_over = true;
  hostile.join();
  ASSERT_TRUE(exit.ok()) << exit.status().message();
  EXPECT_TRUE(exit->Succeeded()) << "every event sent must be stored: " << exit->ToString() << "\n"
                                 << FileText(dir_ / "sim.log");
  ASSERT_GE(rounds, 1);
  ASSERT_FALSE(commits.empty());
  EXPECT_LT(commits.front(), commits.back()) << "the record grew while the hostile requests came";
  EXPECT_EQ(RegistrarResolves(), 0u) << "no hostile request reached the record";
  StopCoordinator();
}

// ---- the registrar token ----

TEST_F(DashboardDay, ResolvingNeedsTheRegistrarTokenAndWithoutItNothingChanges) {
  StartCoordinator();
  ASSERT_GT(port_, 0) << ready_;
  PlayDay(20);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "store/registrar.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string token = Token();
  ASSERT_EQ(token.size(), 64u);

  auto summary = testing::Get(port_, "/api/dashboard");
  ASSERT_TRUE(summary.ok() && summary->status == 200);
  const Json j = Json::parse(summary->body);
  ASSERT_FALSE(j["anomalies"]["list"].empty()) << "the faults leave open anomalies";
  const std::string id = j["anomalies"]["list"][0]["id"];
  EXPECT_EQ(j["anomalies"]["list"][0]["severity"], "BLOCKER") << "blockers first";
  ASSERT_TRUE(IsOpen(id));

  const std::string body = R"({"id":")" + id + R"(","reason":"checked the photo","by":"test registrar"})";
  std::string wrong = token;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  for (const std::optional<std::string>& auth : std::vector<std::optional<std::string>>{
           std::nullopt, "Bearer " + wrong, "Bearer " + token + "0", "bearer " + token, token, "Basic " + token}) {
    EXPECT_TRUE(IsClientError(testing::Post(port_, "/api/resolve", body, auth), 401, "registrar token"))
        << auth.value_or("(none)");
  }
  EXPECT_TRUE(IsOpen(id)) << "a refused request changes nothing";
  EXPECT_EQ(RegistrarResolves(), 0u);

  auto resolved = testing::Post(port_, "/api/resolve", body, "Bearer " + token);
  ASSERT_TRUE(resolved.ok());
  ASSERT_EQ(resolved->status, 200) << resolved->body;
  const Json answer = Json::parse(resolved->body);
  EXPECT_TRUE(answer["ok"].get<bool>());
  EXPECT_GT(answer["commit_index"].get<uint64_t>(), 0u);
  EXPECT_FALSE(IsOpen(id));
  EXPECT_EQ(RegistrarResolves(), 1u);
  auto again = testing::Post(port_, "/api/resolve", body, "Bearer " + token);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 409) << again->body;
  StopCoordinator();

  // A restart keeps the token: it is made once and never overwritten.
  StartCoordinator();
  EXPECT_EQ(Token(), token);
  StopCoordinator();
}

// ---- the event stream ----

TEST_F(DashboardDay, TheEventStreamAnnouncesEachNewCommitWithinASecond) {
  StartCoordinator();
  ASSERT_GT(port_, 0) << ready_;
  auto stream = testing::EventStream::Open(port_);
  ASSERT_TRUE(stream.ok()) << stream.status().message();
  auto first = (*stream)->ReadEvent(sim::Clock::now() + 5s);
  ASSERT_TRUE(first.has_value()) << "no first update";
  EXPECT_EQ(Json::parse(*first)["commit_index"], 0);

  // A resolve of no open anomaly is still recorded (and raises UNKNOWN_ANOMALY): one commit.
  const auto before = sim::Clock::now();
  auto resolved = testing::Post(port_, "/api/resolve", R"({"id":"A99","reason":"no such"})", "Bearer " + Token());
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->status, 409) << resolved->body;
  auto update = (*stream)->ReadEvent(before + 1s);
  ASSERT_TRUE(update.has_value()) << "no update within a second";
  const Json j = Json::parse(*update);
  EXPECT_EQ(j["commit_index"], 1);
  EXPECT_EQ(j["anomalies_raised"], 1);
  StopCoordinator();
}

// ---- photos ----

TEST_F(DashboardDay, APhotoIsServedFromTheImageStoreOnlyWhileItsBytesStillHashToItsName) {
  StartCoordinator();
  ASSERT_GT(port_, 0) << ready_;
  const auto [image, hex, file] = FileCameraImage();

  auto photo = testing::Get(port_, "/api/photo/" + hex);
  ASSERT_TRUE(photo.ok()) << photo.status().message();
  ASSERT_EQ(photo->status, 200) << photo->body;
  EXPECT_TRUE(photo->body == image) << "not the filed bytes";
  EXPECT_EQ(photo->headers["content-type"], "image/jpeg");
  EXPECT_EQ(photo->headers["cache-control"], "private, max-age=31536000, immutable");
  EXPECT_EQ(photo->headers["x-content-type-options"], "nosniff");
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto same = testing::Get(port_, "/api/photo/" + upper);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->status, 200) << "hex digits in either case";

  std::string unknown = hex;
  unknown[0] = unknown[0] == '0' ? '1' : '0';
  EXPECT_TRUE(IsClientError(testing::Get(port_, "/api/photo/" + unknown), 404, "has not reached the coordinator"));
  for (const std::string& bad : {hex.substr(1), hex + "0", hex.substr(1) + "g", std::string("..%2e"), std::string()}) {
    EXPECT_TRUE(IsClientError(testing::Get(port_, "/api/photo/" + bad), 400, "64 hex digits")) << bad;
  }
  for (const std::string& trick :
       {std::string("/api/photo/../../etc/passwd"), "/api/photo/" + hex + "/x", "/api/photos/" + hex}) {
    auto reply = testing::Get(port_, trick);
    EXPECT_TRUE(IsClientError(reply, 404, "no such resource")) << trick;
  }

  // Altered after filing: refused with a reason, and none of its bytes leave.
  std::string altered = image;
  altered[altered.size() / 2] ^= 0x01;
  ASSERT_TRUE(WriteFileDurably(file, altered).ok());
  auto refused = testing::Get(port_, "/api/photo/" + hex);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 500) << refused->body;
  const Json why = Json::parse(refused->body, nullptr, false);
  ASSERT_TRUE(why.is_object() && why["error"].is_string()) << refused->body;
  EXPECT_NE(why["error"].get<std::string>().find("altered"), std::string::npos) << refused->body;
  EXPECT_EQ(refused->headers["content-type"], "application/json; charset=utf-8");
  EXPECT_EQ(refused->headers["cache-control"], "no-store") << "a refusal may be cured: never cached";
  StopCoordinator();
}

// ---- reading on a network address ----

std::string UrlEncoded(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 && c < 0x80) {
      out += static_cast<char>(c);
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", c);
      out += escaped;
    }
  }
  return out;
}

TEST_F(DashboardDay, OnANetworkAddressTheClassViewsNeedTheTokenOnceAndThenItsSessionCookie) {
  StartCoordinator("0.0.0.0:0");
  ASSERT_GT(port_, 0) << ready_;
  EXPECT_NE(ready_.find(" http=http://0.0.0.0:"), std::string::npos) << ready_;
  const FiledImage photo = FileCameraImage();
  auto roster = LoadRoster(dir_ / "kit/roster.csv");
  ASSERT_TRUE(roster.ok()) << roster.status().message();
  const std::string klass = roster->students.front().class_name;
  std::vector<std::string> names;
  for (const RosterStudent& s : roster->students) {
    if (s.class_name == klass) names.push_back(s.name);
  }
  std::sort(names.begin(), names.end());
  const std::string class_path = "/api/class?name=" + UrlEncoded(klass);
  const std::vector<std::string> reads = {"/api/status", "/api/dashboard", class_path, "/metrics",
                                          "/api/photo/" + photo.hex};

  auto page = testing::Get(port_, "/");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->status, 200) << "the page asks for the token: it needs none itself";
  for (const std::string& path : reads) {
    EXPECT_TRUE(IsClientError(testing::Get(port_, path), 401, "registrar.token")) << path;
  }
  {
    auto stream = testing::EventStream::Open(port_);
    ASSERT_TRUE(stream.ok()) << stream.status().message();
    EXPECT_FALSE((*stream)->ReadEvent(sim::Clock::now() + 2s).has_value()) << "an event without the token";
  }

  // A Prometheus scraper sends the bearer header.
  const std::string token = Token();
  auto scraped = testing::Get(port_, "/metrics", {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(scraped.ok());
  ASSERT_EQ(scraped->status, 200) << scraped->body;
  EXPECT_TRUE(testing::ParseExposition(scraped->body).ok());

  // The page signs in once; the cookie it gets stands in for the token.
  std::string wrong = token;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  auto refused = testing::Post(port_, "/api/session", R"({"token":")" + wrong + R"("})", std::nullopt);
  EXPECT_TRUE(IsClientError(refused, 401, "not the registrar token"));
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->headers.count("set-cookie"), 0u);
  auto signed_in = testing::Post(port_, "/api/session", R"({"token":")" + token + R"("})", std::nullopt);
  ASSERT_TRUE(signed_in.ok());
  ASSERT_EQ(signed_in->status, 200) << signed_in->body;
  const std::string set_cookie = signed_in->headers["set-cookie"];
  ASSERT_EQ(set_cookie.rfind("capture_session=", 0), 0u) << set_cookie;
  EXPECT_NE(set_cookie.find("; HttpOnly; SameSite=Strict; Path=/"), std::string::npos) << set_cookie;
  EXPECT_EQ(set_cookie.find("Max-Age"), std::string::npos) << "a session cookie: " << set_cookie;
  EXPECT_EQ(set_cookie.find(token), std::string::npos) << "the cookie holds the token";
  const testing::Headers cookie = {{"Cookie", set_cookie.substr(0, set_cookie.find(';'))}};

  for (const std::string& path : reads) {
    auto reply = testing::Get(port_, path, cookie);
    ASSERT_TRUE(reply.ok()) << path;
    EXPECT_EQ(reply->status, 200) << path << ": " << reply->body;
  }
  auto view = testing::Get(port_, class_path, cookie);
  ASSERT_TRUE(view.ok());
  std::vector<std::string> shown;
  const Json students = Json::parse(view->body, nullptr, false)["students"];
  ASSERT_TRUE(students.is_array()) << view->body;
  for (const Json& student : students) shown.push_back(student.value("name", ""));
  std::sort(shown.begin(), shown.end());
  EXPECT_EQ(shown, names) << "the class view's names are not the roster's";
  EXPECT_TRUE(testing::Get(port_, "/api/photo/" + photo.hex, cookie)->body == photo.bytes);
  {
    auto stream = testing::EventStream::Open(port_, cookie);
    ASSERT_TRUE(stream.ok()) << stream.status().message();
    auto first = (*stream)->ReadEvent(sim::Clock::now() + 5s);
    ASSERT_TRUE(first.has_value()) << "no event with the session cookie";
    EXPECT_EQ(Json::parse(*first)["commit_index"], 0);
  }

  // Resolving with the cookie: only from the dashboard's own page (a resolve of no open anomaly is
  // still recorded: 409).
  const std::string body = R"({"id":"A99","reason":"no such"})";
  testing::Headers foreign = cookie;
  foreign.emplace_back("Origin", "http://evil.example");
  EXPECT_TRUE(IsClientError(testing::Post(port_, "/api/resolve", body, std::nullopt, foreign), 403, "own page"));
  EXPECT_EQ(RegistrarResolves(), 0u) << "a resolve from another page was recorded";
  testing::Headers own = cookie;
  own.emplace_back("Origin", "http://127.0.0.1:" + std::to_string(port_));
  auto resolved = testing::Post(port_, "/api/resolve", body, std::nullopt, own);
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->status, 409) << resolved->body;
  EXPECT_EQ(RegistrarResolves(), 1u);
  StopCoordinator();

  // Sessions end with the coordinator that made them.
  StartCoordinator("0.0.0.0:0");
  EXPECT_TRUE(IsClientError(testing::Get(port_, class_path, cookie), 401, "registrar.token"));
  StopCoordinator();
}

// ---- flags and the ready line ----

TEST_F(DashboardDay, TheReadyLineEndsWithTheDashboardAddressUnlessItIsOff) {
  StartCoordinator();
  EXPECT_NE(ready_.find(" commit_index=0 http=http://127.0.0.1:"), std::string::npos) << ready_;
  auto page = testing::Get(port_, "/");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->headers["content-type"], "text/html; charset=utf-8");
  EXPECT_NE(page->headers["content-security-policy"].find("script-src 'self'"), std::string::npos);
  StopCoordinator();

  StartCoordinator("off");
  EXPECT_EQ(ready_.find("http="), std::string::npos) << ready_;
  StopCoordinator();
}

TEST_F(DashboardDay, AnExplicitDashboardAddressInUseStopsTheStart) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string taken = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  auto child = ChildProcess::Spawn(
      {Bin("coordinator"), "--store", dir_ / "store", "--schedule", dir_ / "schedule.csv", "--roster",
       dir_ / "kit/roster.csv", "--events", "tcp://127.0.0.1:*", "--control", "tcp://127.0.0.1:*", "--http", taken},
      dir_ / "coordinator.log");
  ASSERT_TRUE(child.ok());
  auto exit = (*child)->Wait(30s);
  ::close(fd);
  ASSERT_TRUE(exit.ok()) << exit.status().message();
  EXPECT_EQ(exit->exit_code, 1);
  EXPECT_NE(FileText(dir_ / "coordinator.log").find("cannot bind the dashboard to " + taken), std::string::npos)
      << FileText(dir_ / "coordinator.log");
}

}  // namespace
}  // namespace capture::dashboard
