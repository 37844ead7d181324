// coordinator: the room's single authoritative record of every station's events, judged live.
// See coordinator.h for the protocol and the shared contract for the flags and the `ready` line.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "common/fs.h"
#include "common/identity.h"
#include "common/log.h"
#include "common/transport.h"
#include "common/schedule.h"
#include "coordinator/coordinator.h"
#include "coordinator/dashboard/directory.h"
#include "coordinator/dashboard/server.h"
#include "coordinator/dashboard/token.h"
#include "coordinator/judge_inputs.h"
#include "coordinator/memory.h"
#include "coordinator/record_store.h"
#include "coordinator/replication/restore.h"

namespace {

constexpr char kLog[] = "coordinator";
constexpr char kDefaultHttp[] = "127.0.0.1:5780";

int Fail(const capture::Status& status) {
  capture::LogError(kLog, status.message());
  return 1;
}

std::string JoinStations(const std::vector<int>& stations) {
  std::string out;
  for (int s : stations) out += (out.empty() ? "" : ",") + std::to_string(s);
  return out;
}

// The file's bytes when the flag was given.
capture::Result<std::optional<capture::coord::GivenFile>> GivenFileOf(const CLI::App& app, const char* flag,
                                                                       const std::string& path) {
  if (app.count(flag) == 0) return std::optional<capture::coord::GivenFile>();
  auto bytes = capture::ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  return std::optional<capture::coord::GivenFile>(capture::coord::GivenFile{path, std::move(*bytes)});
}

template <typename T>
std::optional<T> GivenValue(const CLI::App& app, const char* flag, const T& value) {
  return app.count(flag) > 0 ? std::optional<T>(value) : std::nullopt;
}

// Resolves the judge's inputs against the store's (saving them in a new store) and puts them,
// parsed, into `options`. The files' bytes are dropped on return: a roster may be large.
capture::Status LoadJudgeInputs(capture::coord::RecordStore& store, capture::coord::GivenJudgeInputs given,
                                const std::string& store_dir, capture::coord::CoordinatorOptions& options) {
  using namespace capture;
  const bool stored = store.has_judge_inputs();
  std::optional<coord::JudgeInputs> stored_inputs;
  if (stored) {
    auto read = store.ReadJudgeInputs();
    if (!read.ok()) return read.status();
    stored_inputs = std::move(*read);
  }
  auto inputs = coord::ResolveJudgeInputs(stored_inputs, given);
  stored_inputs.reset();
  if (!inputs.ok()) return Status::InvalidArgument("store " + store_dir + ": " + inputs.status().message());
  // Without stored inputs, Resolve has checked that both files were given.
  const std::string schedule_origin = stored ? "the schedule stored in " + store_dir : given.schedule->path;
  const std::string roster_origin = stored ? "the roster stored in " + store_dir : given.roster->path;
  const std::string given_keys_path = given.station_keys ? given.station_keys->path : "";
  given = {};
  auto schedule = ParseSchedule(inputs->schedule_csv, schedule_origin);
  if (!schedule.ok()) return schedule.status();
  auto roster = ParseRoster(inputs->roster_csv, roster_origin);
  if (!roster.ok()) return roster.status();
  if (!stored) {
    if (Status s = store.SaveJudgeInputs(*inputs); !s.ok()) return s;
  }
  options.stations = schedule->Stations();
  options.schedule = std::move(*schedule);
  options.roster = std::move(*roster);
  options.judge_config = inputs->config;
  if (!inputs->station_keys_csv.empty()) {
    const std::string keys_origin = stored ? "the enrolment stored in " + store_dir : given_keys_path;
    auto enrolment = coord::Enrolment::FromCsv(inputs->station_keys_csv, keys_origin, options.stations);
    if (!enrolment.ok()) return enrolment.status();
    options.enrolment = std::move(*enrolment);
  }
  return Status::Ok();
}

// `--restore-from`: fills the new store in `store_dir` from the campus's replication subject. With
// the lost store's coordinator key (`key_backup`) the roster is unsealed with it and the key goes on
// signing the record; without it the registrar's roster file stands in, and a new key takes over
// (replication::RotateCoordinatorKey), which `verify` reports.
capture::Result<capture::replication::RestoreSummary> RestoreStore(
    capture::coord::RecordStore& store, const capture::replication::NatsOptions& nats, const std::string& campus,
    const std::string& key_backup, const std::optional<capture::coord::GivenFile>& roster,
    const std::string& store_dir) {
  using namespace capture;
  std::optional<Identity> backup;
  replication::RosterSource source;
  if (!key_backup.empty()) {
    auto loaded = Identity::Load(key_backup);
    if (!loaded.ok()) return Status::InvalidArgument("--coordinator-key-file: " + loaded.status().message());
    backup = std::move(*loaded);
    source = replication::RosterSource::Coordinator(*backup);
  } else if (roster) {
    source = replication::RosterSource::File(roster->bytes);
  } else {
    return Status::InvalidArgument(
        "--restore-from needs --coordinator-key-file (a backup of the lost store's coordinator.key) or, without one, "
        "the registrar's --roster: the replicated roster is sealed");
  }
  auto stream = replication::NatsStream::Connect(nats, std::chrono::seconds(10));
  if (!stream.ok()) return stream.status();
  auto restored = replication::RestoreCampus(**stream, campus, std::move(source), store, std::chrono::seconds(30));
  if (!restored.ok()) {
    return restored.status().WithContext("cannot restore campus " + campus + " into " + store_dir + ": ");
  }
  const std::string key_file = store_dir + "/coordinator.key";
  if (backup) {
    if (backup->public_key() != restored->coordinator_key) {
      return Status::InvalidArgument("--coordinator-key-file " + key_backup + " holds key " +
                                     KeyHex(backup->public_key()) + ", but campus " + campus +
                                     "'s record is signed by " + KeyHex(restored->coordinator_key));
    }
    if (Status s = backup->SaveNew(key_file); !s.ok()) return s;
    return restored;
  }
  auto identity = Identity::LoadOrCreate(key_file);
  if (!identity.ok()) return identity.status();
  const int64_t now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto rotation = replication::RotateCoordinatorKey(store, restored->coordinator_key, *identity, now_us);
  if (!rotation.ok()) return rotation.status().WithContext("cannot rotate the coordinator key of " + store_dir + ": ");
  LogWarn(kLog, "restored without the coordinator's key: the record's heads were signed by " +
                    KeyHex(restored->coordinator_key) + "; from commit index " + std::to_string(*rotation) +
                    " on they are signed by this store's new key " + KeyHex(identity->public_key()) +
                    " (capturectl verify reports the rotation). Give the agents the new " + store_dir +
                    "/coordinator.pub");
  restored->items = store.commit_index();
  return restored;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace capture;
  CLI::App app{
      "Coordinator of a photo capture day: receives the stations' events, keeps the record, judges every "
      "record item as it is stored and tells each station of its own anomalies.\n"
      "The judge's inputs (schedule, roster, station keys, day, time zone, --stale-code-seconds, "
      "--clock-skew-seconds) are stored with the record at its first start; a later start uses the stored ones and "
      "refuses flags that differ from them (--silent-after-seconds may change at every start)."};
  std::string schedule_path, roster_path, store_dir;
  std::string day = coord::kDefaultDay, tz = coord::kDefaultTimeZone;
  double stale_code_seconds = 90, clock_skew_seconds = 60, silent_after_seconds = 3;
  coord::CoordinatorOptions options;
  app.add_option("--schedule", schedule_path,
                 "The day's schedule CSV; its stations are the ones accepted. Required for a new record.");
  app.add_option("--roster", roster_path, "The registrar's roster CSV. Required for a new record.");
  app.add_option("--store", store_dir, "Folder of the record store, created if missing.")->required();
  app.add_option("--day", day, "The capture day, YYYY-MM-DD: schedule times are times of this day.")
      ->capture_default_str();
  app.add_option("--tz", tz, "Time zone of the schedule's times: an IANA name or an offset like +08:00.")
      ->capture_default_str();
  app.add_option("--stale-code-seconds", stale_code_seconds,
                 "A code read this long before the next shot is STALE_CODE.")
      ->capture_default_str();
  app.add_option("--clock-skew-seconds", clock_skew_seconds,
                 "Tolerance of a station clock against the coordinator's (CLOCK_OFFSET, CLOCK_SKEW).")
      ->capture_default_str();
  app.add_option("--silent-after-seconds", silent_after_seconds,
                 "A station heard before and then without a heartbeat this long is recorded STATION_SILENT.")
      ->capture_default_str();
  app.add_option("--events", options.events_endpoint,
                 "Address to bind the SUB socket the agents publish events to (a port may be *).")
      ->capture_default_str();
  app.add_option("--control", options.control_endpoint,
                 "Address to bind the ROUTER socket for hello, ack, resend, verdicts, status, and the registrar's "
                 "resolve, close-day, enrol and export requests (a port may be *). CURVE-encrypted: only enrolled "
                 "stations and the registrar's key (<store>/registrar.key) get in, and resolve, close-day and enrol "
                 "need the registrar token (<store>/registrar.token) as well.")
      ->capture_default_str();
  app.add_option("--images", options.images_endpoint,
                 "Address to bind the ROUTER socket the agents ship their camera images to (a port may be *). "
                 "Default: the --control address with any free port; each agent learns the port from the coordinator's "
                 "acks. Images are filed under <store>/images/ by their SHA-256.");
  std::string http = kDefaultHttp;
  app.add_option("--http", http,
                 "Address of the registrar's dashboard and /metrics (HTTP), ADDRESS:PORT (port 0: any free port), or "
                 "off. Resolving needs the token in <store>/registrar.token (made at the first start, mode 0600); on "
                 "an address other than loopback (127.0.0.0/8, ::1, localhost) reading needs it too, and the page "
                 "asks for it once. Without this flag a dashboard port already in use is logged and capture "
                 "goes on without the dashboard.")
      ->capture_default_str();
  std::string station_keys_path;
  app.add_option("--station-keys", station_keys_path,
                 "The registrar's enrolment file, CSV station,public_key (the stations' keys as 64 hex digits, as "
                 "station-agent --print-key shows them): only these stations may connect. Stored with the record at "
                 "its first start; later keys are enrolled with capturectl enroll.");
  bool insecure = false;
  app.add_flag("--insecure", insecure,
               "Plain text on every socket: no encryption, and anyone who reaches a port may publish as any station. "
               "For tests on a private machine only.");
  app.add_flag("--sim-time", options.sim_time,
               "Stamp received times with the highest station time seen instead of the system clock, and "
               "measure each station's clock by its events against the other stations' latest events, in record "
               "order, whatever the speed the day is played at.");
  std::string replicate, campus, auditor_key;
  replication::ReplicationOptions replication;
  double duplicate_window_seconds = 120;
  auto* replicate_flag = app.add_option(
      "--replicate", replicate,
      "Replicate the record, as it is committed, to NATS JetStream: the servers' URLs, nats://HOST:PORT[,...] "
      "(stream CAPTURE, subject capture.<campus>.record; docs/replication.md). Capture never waits for it.");
  std::string restore_from, coordinator_key_backup;
  auto* restore_flag = app.add_option(
      "--restore-from", restore_from,
      "Rebuild the new --store from the campus's record on NATS JetStream (nats://HOST:PORT[,...]) and go on as its "
      "coordinator, replicating there (docs/replication.md).");
  app.add_option("--coordinator-key-file", coordinator_key_backup,
                 "With --restore-from: a backup of the lost store's coordinator.key; it opens the replicated roster and "
                 "signs the restored record's heads. Without it give --roster: the store gets a new key, recorded as a "
                 "key rotation that capturectl verify reports.")
      ->needs(restore_flag);
  app.add_option("--campus", campus, "This room's campus id in the stream: letters, digits, '-' or '_'.");
  app.add_option("--auditor-key", auditor_key,
                 "The auditors' public key (64 hex digits, or a file holding them): the roster is replicated sealed "
                 "to it, so the photo service cannot read it. With --restore-from: the record's own by default.");
  app.add_option("--nats-creds", replication.nats.creds_file, "A NATS credentials file for --replicate.")
      ->needs(replicate_flag);
  app.add_option("--nats-tls-ca", replication.nats.tls_ca_file,
                 "CA certificates to check the NATS servers' TLS certificates by (TLS on).")
      ->needs(replicate_flag);
  app.add_option("--duplicate-window-seconds", duplicate_window_seconds,
                 "Duplicate window of the stream CAPTURE when this coordinator creates it.")
      ->capture_default_str()
      ->needs(replicate_flag);
  CLI11_PARSE(app, argc, argv);
  if (!restore_from.empty()) {
    if (campus.empty()) return Fail(Status::InvalidArgument("--restore-from needs --campus"));
    if (replicate.empty()) replicate = restore_from;  // the restored record goes on where it came from
  }
  if ((!campus.empty() || !auditor_key.empty()) && replicate.empty()) {
    return Fail(Status::InvalidArgument("--campus and --auditor-key go with --replicate or --restore-from"));
  }
  if (!replicate.empty()) {
    auto urls = replication::ParseNatsUrls(replicate);
    if (!urls.ok()) return Fail(Status::InvalidArgument("--replicate: " + urls.status().message()));
    replication.nats.urls = std::move(*urls);
    if (campus.empty() || (auditor_key.empty() && restore_from.empty())) {
      return Fail(Status::InvalidArgument("--replicate needs --campus and --auditor-key"));
    }
    if (Status s = replication::CheckCampusId(campus); !s.ok()) return Fail(s);
    replication.campus = campus;
    if (!auditor_key.empty()) {
      auto key = ReadPublicKey(auditor_key);
      if (!key.ok()) return Fail(Status::InvalidArgument("--auditor-key: " + key.status().message()));
      replication.auditor_key = *key;
    }
    if (!std::isfinite(duplicate_window_seconds) || duplicate_window_seconds <= 0) {
      return Fail(Status::InvalidArgument("--duplicate-window-seconds must be above 0"));
    }
    replication.duplicate_window = std::chrono::milliseconds(std::llround(duplicate_window_seconds * 1000));
  }
  if (app.count("--images") == 0) options.images_endpoint = WithPort(options.control_endpoint, "*");
  options.store_dir = store_dir;
  if (!std::isfinite(silent_after_seconds) || silent_after_seconds <= 0) {
    return Fail(Status::InvalidArgument("--silent-after-seconds must be above 0"));
  }
  options.silent_after = std::chrono::milliseconds(std::llround(silent_after_seconds * 1000));
  std::optional<std::pair<std::string, int>> http_address;
  if (http != "off") {
    auto parsed = dashboard::ParseHttpAddress(http);
    if (!parsed.ok()) return Fail(parsed.status());
    http_address = *parsed;
  }

  // Block the stop signals before any thread exists (ZeroMQ starts some), so they arrive only
  // through the signalfd the loop polls.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  if (sigprocmask(SIG_BLOCK, &stop_signals, nullptr) != 0) return Fail(Status::IoError("cannot block signals"));
  const int stop_fd = signalfd(-1, &stop_signals, SFD_CLOEXEC);
  if (stop_fd < 0) return Fail(Status::IoError("cannot create a signalfd"));

  coord::GivenJudgeInputs given;
  auto schedule_file = GivenFileOf(app, "--schedule", schedule_path);
  if (!schedule_file.ok()) return Fail(schedule_file.status());
  auto roster_file = GivenFileOf(app, "--roster", roster_path);
  if (!roster_file.ok()) return Fail(roster_file.status());
  given.schedule = std::move(*schedule_file);
  given.roster = std::move(*roster_file);
  auto keys_file = GivenFileOf(app, "--station-keys", station_keys_path);
  if (!keys_file.ok()) return Fail(keys_file.status());
  given.station_keys = std::move(*keys_file);
  given.day = GivenValue(app, "--day", day);
  given.tz = GivenValue(app, "--tz", tz);
  given.stale_code_seconds = GivenValue(app, "--stale-code-seconds", stale_code_seconds);
  given.clock_skew_seconds = GivenValue(app, "--clock-skew-seconds", clock_skew_seconds);

  auto store = coord::RecordStore::Open(store_dir, /*read_only=*/false);
  if (!store.ok()) return Fail(store.status());
  if (!restore_from.empty()) {
    auto urls = replication::ParseNatsUrls(restore_from);
    if (!urls.ok()) return Fail(Status::InvalidArgument("--restore-from: " + urls.status().message()));
    replication::NatsOptions nats = replication.nats;
    nats.urls = std::move(*urls);
    nats.client_name = "coordinator restoring " + campus;
    auto restored = RestoreStore(**store, nats, campus, coordinator_key_backup, given.roster, store_dir);
    if (!restored.ok()) return Fail(restored.status());
    if (auditor_key.empty()) replication.auditor_key = restored->auditor_key;
    LogInfo(kLog, "restored campus " + campus + " from " + restore_from + ": " + std::to_string(restored->items) +
                      " items in " + std::to_string(restored->messages) + " messages, " +
                      std::to_string(restored->heads) + " signed heads (" + std::to_string(restored->heads_beyond) +
                      " beyond the stream's last item left out)");
  }
  const bool stored = (*store)->has_judge_inputs();
  if (Status s = LoadJudgeInputs(**store, std::move(given), store_dir, options); !s.ok()) return Fail(s);
  auto token = dashboard::LoadOrCreateToken(store_dir + "/" + dashboard::kTokenFileName);
  if (!token.ok()) return Fail(token.status());
  auto identity = Identity::LoadOrCreate(store_dir + "/coordinator.key");
  if (!identity.ok()) return Fail(identity.status());
  if (Status s = WritePublicKey(store_dir + "/coordinator.pub", identity->public_key()); !s.ok()) return Fail(s);
  auto registrar = Identity::LoadOrCreate(store_dir + "/registrar.key");
  if (!registrar.ok()) return Fail(registrar.status());
  options.registrar_key = registrar->public_key();
  coord::ControlEndpoint self_control;  // the dashboard's way in: as the registrar
  if (insecure) {
    LogWarn(kLog, "--insecure: every socket is plain text; anyone on the network can read the events and publish as any "
                  "station. Never use it on a capture day.");
  } else {
    options.security.identity = std::make_shared<const Identity>(*identity);
    self_control.security = {std::make_shared<const Identity>(*registrar), identity->public_key()};
    if (options.enrolment.admitted().empty()) {
      LogWarn(kLog, "no station key is enrolled: no station can connect until one is (--station-keys at the first "
                    "start, or capturectl enroll)");
    }
  }
  options.registrar_token = *token;
  if (!replicate.empty()) {
    replication.coordinator_key = identity->public_key();
    options.replication = std::move(replication);
  }
  if (http_address) {
    options.dashboard = dashboard::Directory::Build(options.schedule, options.roster, options.judge_config);
  }
  LogInfo(kLog, "store " + store_dir + " open at commit index " + std::to_string((*store)->commit_index()) + ", " +
                    std::to_string((*store)->streams().size()) + " stream(s); judging day " +
                    coord::ConfiguredDay(options.judge_config) + " (UTC offset " +
                    std::to_string(options.judge_config.utc_offset_minutes()) + " min) with " +
                    (stored ? "the stored" : "the given") + " schedule and a roster of " +
                    std::to_string(options.roster.students.size()) + " students");

  const std::string stations = JoinStations(options.stations);
  auto coordinator = coord::Coordinator::Start(std::move(options), std::move(*store));
  if (!coordinator.ok()) return Fail(coordinator.status());
  coord::ReturnFreedMemory();  // the roster as parsed, now packed into the judge
  if (const auto* replicator = (*coordinator)->replicator()) {
    // Another record on the campus's subject refuses this start; NATS out of reach does not, and
    // holds the start up no more than this: capture matters more than its replica.
    if (Status claim = replicator->AwaitClaim(std::chrono::seconds(3)); !claim.ok()) return Fail(claim);
  }
  std::unique_ptr<dashboard::DashboardServer> server;
  if (http_address) {
    auto started = dashboard::DashboardServer::Start(
        {http_address->first, http_address->second,
         {(*coordinator)->control_endpoint(), self_control.security}, *token, store_dir});
    if (!started.ok() && app.count("--http") > 0) return Fail(started.status());
    // The default address may be another coordinator's on this machine (a test, a second room):
    // capture matters more than its dashboard.
    if (!started.ok()) LogWarn(kLog, started.status().message() + "; going on without the dashboard (see --http)");
    if (started.ok()) server = std::move(*started);
  }
  std::printf("ready events=%s control=%s images=%s stations=%s commit_index=%llu%s\n",
              (*coordinator)->events_endpoint().c_str(), (*coordinator)->control_endpoint().c_str(),
              (*coordinator)->images_endpoint().c_str(), stations.c_str(),
              static_cast<unsigned long long>((*coordinator)->commit_index()),
              server ? (" http=" + server->url()).c_str() : "");
  std::fflush(stdout);

  Status run = (*coordinator)->Run(stop_fd);
  if (server) server->Stop();  // before the loop's sockets close: a request waiting on them ends
  close(stop_fd);
  if (!run.ok()) return Fail(run);
  LogInfo(kLog, "stopped at commit index " + std::to_string((*coordinator)->commit_index()));
  return 0;
}
