#include "tests/integration/cluster.h"

#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <set>
#include <thread>
#include <tuple>

#include "capture.pb.h"
#include "common/collection_code.h"
#include "common/fs.h"
#include "common/identity.h"
#include "common/schedule.h"
#include "common/time_format.h"
#include "common/transport.h"
#include "coordinator/record_store.h"
#include "coordinator/status_client.h"
#include "station-agent/journal.h"
#include "tests/support/image_files.h"
#include "tools/capture-sim/kit.h"
#include "tools/capture-sim/output_line.h"
#include "tools/capture-sim/roster.h"
#include "tools/capture-sim/sim_jpeg.h"

namespace capture::itest {

namespace {

using namespace std::chrono_literals;
constexpr auto kLineTimeout = 20s;

std::string Bin(const std::string& program) { return std::string(CAPTURE_BIN_DIR) + "/" + program; }

std::string FieldOf(const std::string& line, const std::string& key) {
  return sim::ParseOutputLine(line).Get(key).value_or("");
}

}  // namespace

Cluster::Cluster(const std::string& schedule_file, uint64_t seed) {
  schedule_path_ = std::string(CAPTURE_DATA_DIR) + "/" + schedule_file;
  auto schedule = LoadSchedule(schedule_path_);
  auto roster = schedule.ok() ? sim::MakeSyntheticRoster(*schedule, seed) : Result<sim::SyntheticRoster>(schedule.status());
  if (!roster.ok()) std::abort();
  const SiteKey key = GenerateSiteKey();
  if (!sim::WriteKit(root_, *roster, key, schedule->Stations()).ok()) std::abort();
  // The coordinator's key is made ahead, as an installer would, so that agents may start before it.
  const Identity coordinator = Identity::Generate();
  if (!MakePrivateDirs(Path("store")).ok() || !coordinator.SaveNew(Path("store/coordinator.key")).ok() ||
      !WritePublicKey(Path("store/coordinator.pub"), coordinator.public_key()).ok()) {
    std::abort();
  }
  for (const auto& s : roster->students) {
    code_by_registry_[s.student.registry_no] = MintDemoCode(key, s.student.registry_no, s.student.masked_name);
  }
  sim::PlanTiming timing;
  timing.local_midnight = (DaysFromCivil(2024, 4, 22) * 86400 - utc_offset_minutes_ * 60) * 1'000'000;
  for (auto& plan : sim::PlanDay(*schedule, *roster, timing)) {
    const int station = plan.station;
    stations_[station].plan = std::move(plan);
    MakeDirs(Path("station-" + std::to_string(station) + "/camera")).IgnoreError();
  }
}

Cluster::~Cluster() {
  for (auto& [n, s] : stations_) s.agent.reset();
  coordinator_.reset();
}

Status Cluster::StartCoordinator() {
  std::vector<std::string> argv = {Bin("coordinator"), "--schedule", schedule_path_, "--roster", Path("roster.csv"),
                                   "--store", Path("store"), "--sim-time", "--events", events_endpoint_,
                                   "--control", control_endpoint_, "--station-keys", Path(sim::kStationKeysFile),
                                   "--http", "off"};
  argv.insert(argv.end(), coordinator_flags_.begin(), coordinator_flags_.end());
  auto child = sim::ChildProcess::Spawn(argv, Path("coordinator.log"));
  if (!child.ok()) return child.status();
  auto ready = (*child)->WaitForLine([](const std::string& l) { return l.rfind("ready ", 0) == 0; }, kLineTimeout,
                                     "the coordinator's ready line");
  if (!ready.ok()) return ready.status();
  events_endpoint_ = FieldOf(*ready, "events");
  control_endpoint_ = FieldOf(*ready, "control");
  auto registrar = coord::RegistrarEndpoint(control_endpoint_, Path("store"));
  if (!registrar.ok()) return registrar.status();
  registrar_ = std::move(*registrar);
  coordinator_ = std::move(*child);
  return Status::Ok();
}

Status Cluster::ChooseCoordinatorPorts() {
  // Ports the OS hands out for a moment and takes back: a later bind of them can only collide
  // with a program that asks for that exact port, which no test does.
  zmq::context_t ctx;
  for (std::string* endpoint : {&events_endpoint_, &control_endpoint_}) {
    auto probe = OpenSocket(ctx, zmq::socket_type::pull);
    if (!probe.ok()) return probe.status();
    if (Status st = Bind(*probe, "tcp://127.0.0.1:*"); !st.ok()) return st;
    *endpoint = probe->get(zmq::sockopt::last_endpoint);
  }
  return Status::Ok();
}

Status Cluster::KillCoordinator() {
  if (!coordinator_) return Status::InvalidArgument("the coordinator is not running");
  Status st = coordinator_->Signal(SIGKILL);
  auto exit = coordinator_->Wait(10s);
  coordinator_.reset();
  return exit.ok() ? st : exit.status();
}

Status Cluster::StartAgent(int station, double drop_share) {
  Station& s = stations_.at(station);
  if (drop_share > 0) s.drop_share = drop_share;
  const std::string dir = Path("station-" + std::to_string(station));
  std::vector<std::string> argv = {Bin("station-agent"), "--station", std::to_string(station), "--camera-dir",
                                   dir + "/camera", "--create-camera-dir", "--journal", dir + "/journal", "--site-key", Path("site.key"),
                                   "--sim-time", "--events", events_endpoint_, "--control", control_endpoint_};
  for (std::string& flag : sim::AgentKeyFlags(root_, station, Path("store/coordinator.pub"))) argv.push_back(flag);
  if (s.drop_share > 0) {
    argv.insert(argv.end(), {"--test-drop-share", std::to_string(s.drop_share), "--test-drop-seed",
                             std::to_string(station)});
  }
  auto child = sim::ChildProcess::Spawn(argv, dir + "/agent.log");
  if (!child.ok()) return child.status();
  s.agent = std::move(*child);
  auto ready = s.agent->WaitForLine([](const std::string& l) { return l.rfind("ready ", 0) == 0; }, kLineTimeout,
                                    "the agent's ready line");
  if (!ready.ok()) return ready.status();
  s.epoch_hex = FieldOf(*ready, "epoch");
  s.last_seq = std::stoull(FieldOf(*ready, "last_seq"));
  return Status::Ok();
}

Status Cluster::StartAllAgents(double drop_share) {
  for (int station : stations()) {
    Status st = StartAgent(station, drop_share);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

Status Cluster::KillAgent(int station) {
  Station& s = stations_.at(station);
  if (!s.agent) return Status::InvalidArgument("agent " + std::to_string(station) + " is not running");
  Status st = s.agent->Signal(SIGKILL);
  auto exit = s.agent->Wait(10s);
  s.agent.reset();
  return exit.ok() ? st : exit.status();
}

Result<std::string> Cluster::AwaitEvent(Station& s, const std::string& kind) {
  auto line = s.agent->WaitForLine(
      [&](const std::string& l) { return l.rfind("event ", 0) == 0 && FieldOf(l, "kind") == kind; }, kLineTimeout,
      "a " + kind + " event");
  if (line.ok()) s.last_seq = std::stoull(FieldOf(*line, "seq"));
  return line;
}

Status Cluster::PlayNextStudent(int station, bool kill_before_shot_event) {
  Station& s = stations_.at(station);
  if (StationDone(station)) return Status::InvalidArgument("station " + std::to_string(station) + " is done");
  const sim::PlannedStudent& p = s.plan.classes[s.next_class].present[s.next_student];
  if (++s.next_student == s.plan.classes[s.next_class].present.size()) {
    s.next_student = 0;
    ++s.next_class;
  }
  for (Status st : {s.agent->WriteLine("!time " + FormatIso8601(p.code_time, utc_offset_minutes_)),
                    s.agent->WriteLine(code_by_registry_.at(p.student.student.registry_no))}) {
    if (!st.ok()) return st;
  }
  if (auto line = AwaitEvent(s, "CODE_READ"); !line.ok()) return line.status();
  if (Status st = s.agent->WriteLine("!time " + FormatIso8601(p.shot_time, utc_offset_minutes_)); !st.ok()) return st;
  char name[32];
  std::snprintf(name, sizeof name, "IMG_%04d.JPG", ++s.shot_counter);
  const std::string jpeg = sim::MakeSimJpeg(sim::ExifDateTime(p.shot_time, utc_offset_minutes_),
                                            sim::SimJpegComment(1, station, s.shot_counter));
  if (Status st = WriteFileDurably(Path("station-" + std::to_string(station) + "/camera/" + name), jpeg); !st.ok()) {
    return st;
  }
  if (kill_before_shot_event) {
    if (Status st = KillAgent(station); !st.ok()) return st;
    if (Status st = StartAgent(station); !st.ok()) return st;
    // The agent either journaled the image before it died or takes it in once it knows the time: a
    // sim-time agent holds the files it finds at its start until its first `!time`.
    if (Status st = s.agent->WriteLine("!time " + FormatIso8601(p.shot_time, utc_offset_minutes_)); !st.ok()) return st;
    if (s.last_seq > 0) {
      bool journaled_before_kill = false;
      auto journal = agent::Journal::Open(Path("station-" + std::to_string(station) + "/journal"), true);
      if (!journal.ok()) return journal.status();
      Status st = (*journal)->ForEachEvent(s.last_seq, [&](uint64_t, std::string_view bytes) {
        wire::CaptureEvent ev;
        journaled_before_kill = ev.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) &&
                                ev.kind() == wire::SHOT_TAKEN && ev.shot().file_name() == name;
        return false;
      });
      if (!st.ok()) return st;
      if (journaled_before_kill) return Status::Ok();
    }
    auto taken = AwaitEvent(s, "SHOT_TAKEN");
    if (!taken.ok()) return taken.status();
    if (FieldOf(*taken, "file") != name) {
      return Status::NotFound(std::string(name) + " was neither journaled before the kill nor taken in at start: " + *taken);
    }
    return Status::Ok();
  }
  auto shot = AwaitEvent(s, "SHOT_TAKEN");
  return shot.ok() ? Status::Ok() : shot.status();
}

bool Cluster::StationDone(int station) const {
  const Station& s = stations_.at(station);
  return s.next_class >= s.plan.classes.size();
}

std::vector<int> Cluster::stations() const {
  std::vector<int> out;
  for (const auto& [n, s] : stations_) out.push_back(n);
  return out;
}

uint64_t Cluster::events_journaled(int station) const { return stations_.at(station).last_seq; }

Status Cluster::WaitUntilAllStored(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last_seen = "no status reply";
  while (std::chrono::steady_clock::now() < deadline) {
    auto status = coord::QueryStatus(registrar_, 1000);
    if (status.ok()) {
      bool all = true;
      last_seen.clear();
      for (const auto& [n, s] : stations_) {
        uint64_t stored = 0;
        for (const auto& st : status->stations()) {
          if (static_cast<int>(st.station()) == n && agent::EpochHex(st.epoch()) == s.epoch_hex) stored = st.stored_seq();
        }
        last_seen += " station " + std::to_string(n) + ": " + std::to_string(stored) + "/" + std::to_string(s.last_seq);
        all = all && stored == s.last_seq;
      }
      if (all) return Status::Ok();
    }
    std::this_thread::sleep_for(20ms);  // polling a condition with a deadline, not ordering anything
  }
  return Status::Unavailable("not every event was stored in time:" + last_seen);
}

Status Cluster::WaitUntilAllImagesFiled(std::chrono::milliseconds timeout) const {
  std::vector<std::string> journals;
  for (const auto& [n, s] : stations_) journals.push_back(Path("station-" + std::to_string(n) + "/journal"));
  return ::capture::testing::AwaitImagesFiled(journals, Path("store"), timeout);
}

Result<uint64_t> Cluster::Counter(const std::string& name) {
  return coord::QueryCounter(registrar_, name, 5000);
}

Status Cluster::StopAll() {
  std::vector<sim::ChildProcess*> children;
  for (auto& [n, s] : stations_) {
    if (s.agent) children.push_back(s.agent.get());
  }
  if (coordinator_) children.push_back(coordinator_.get());
  for (auto* c : children) {
    if (Status st = c->Signal(SIGTERM); !st.ok()) return st;
  }
  for (auto* c : children) {
    auto exit = c->Wait(20s);
    if (!exit.ok()) return exit.status();
    if (!exit->Succeeded()) return Status::IoError(c->name() + " ended with " + exit->ToString());
  }
  for (auto& [n, s] : stations_) s.agent.reset();
  coordinator_.reset();
  return Status::Ok();
}

Status Cluster::VerifyStoredVerdicts() const {
  auto child = sim::ChildProcess::Spawn({Bin("capturectl"), "verify", "--store", Path("store")}, Path("verify.log"));
  if (!child.ok()) return child.status();
  auto exit = (*child)->Wait(60s);
  if (!exit.ok()) return exit.status();
  if (!exit->Succeeded()) {
    return Status::Corruption("capturectl verify ended with " + exit->ToString() + "; see " + Path("verify.log"));
  }
  return Status::Ok();
}

Status Cluster::ExpectRecordEqualsJournals() const {
  using Key = std::tuple<uint32_t, uint64_t, uint64_t>;
  std::map<Key, std::string> journaled;
  for (const auto& [n, s] : stations_) {
    auto journal = agent::Journal::Open(Path("station-" + std::to_string(n) + "/journal"), /*read_only=*/true);
    if (!journal.ok()) return journal.status();
    uint64_t expected = 1;
    Status broken = Status::Ok();
    Status st = (*journal)->ForEachEvent(1, [&](uint64_t seq, std::string_view bytes) {
      if (seq != expected++) {
        broken = Status::Corruption("station " + std::to_string(n) + " journal skips to seq " + std::to_string(seq));
        return false;
      }
      journaled[{static_cast<uint32_t>(n), (*journal)->epoch(), seq}] = std::string(bytes);
      return true;
    });
    if (!st.ok()) return st;
    if (!broken.ok()) return broken;
  }
  auto store = coord::RecordStore::Open(Path("store"), /*read_only=*/true);
  if (!store.ok()) return store.status();
  std::map<Key, std::string> stored;
  Status problem = Status::Ok();
  Status st = (*store)->ForEachItem([&](const wire::RecordItem& item) {
    if (item.body_case() != wire::RecordItem::kEvent) return true;
    wire::CaptureEvent ev;
    if (!ev.ParseFromString(item.event())) {
      problem = Status::Corruption("commit " + std::to_string(item.commit_index()) + " holds an unparseable event");
      return false;
    }
    const Key key{ev.station(), ev.epoch(), ev.seq()};
    if (!stored.emplace(key, item.event()).second) {
      problem = Status::Corruption("station " + std::to_string(ev.station()) + " seq " + std::to_string(ev.seq()) +
                                   " is stored twice");
      return false;
    }
    return true;
  });
  if (!st.ok()) return st;
  if (!problem.ok()) return problem;
  for (const auto& [key, bytes] : journaled) {
    auto it = stored.find(key);
    const std::string where = "station " + std::to_string(std::get<0>(key)) + " seq " + std::to_string(std::get<2>(key));
    if (it == stored.end()) return Status::NotFound(where + " is journaled but not in the record");
    if (it->second != bytes) return Status::Corruption(where + " differs between journal and record");
  }
  if (stored.size() != journaled.size()) {
    return Status::Corruption("the record holds " + std::to_string(stored.size()) + " events, the journals " +
                              std::to_string(journaled.size()));
  }
  return Status::Ok();
}

}  // namespace capture::itest
