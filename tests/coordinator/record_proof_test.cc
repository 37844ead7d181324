// The record that proves itself, with real processes: the coordinator's signed heads against the
// tree recomputed from its store, stations as witnesses (station-agent --print-checkpoint), stores
// rewritten the ways their holder could (each on a copy of a stopped store) that the verdict check
// cannot see but a station's head can (capturectl verify --checkpoint), and a student's photo proven
// offline (capturectl prove, check-proof).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <optional>
#include <thread>

#include "common/checkpoint.h"
#include "common/csv.h"
#include "common/fs.h"
#include "common/identity.h"
#include "common/sha256.h"
#include "coordinator/audit.h"
#include "coordinator/judge/judge.h"
#include "coordinator/proof/record_tree.h"
#include "coordinator/record_store.h"
#include "coordinator/status_client.h"
#include "tests/coordinator/live_room.h"
#include "tests/support/assert_ok.h"
#include "tests/support/image_files.h"
#include "tests/support/raw_store.h"

namespace capture::coord {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::CtlRun;
using ::capture::testing::BigEndian64;
using testing::LiveRoom;
using ::capture::testing::RawStore;
using testing::Student;
using ::capture::testing::AwaitImagesFiled;

constexpr auto kWait = 10s;

void Photograph(LiveRoom& room, int station, int student) {
  ASSERT_OK(room.Scan(station, room.student(station, student)));
  ASSERT_OK(room.AwaitLine(station, {"kind=CODE_READ", room.student(station, student).registry_no}, kWait).status());
  auto file = room.DropShot(station);
  ASSERT_OK(file.status());
  ASSERT_OK(room.AwaitLine(station, {"kind=SHOT_TAKEN", "file=" + *file}, kWait).status());
}

// `!retake` for the student, then the shot that replaces their photo.
void Retake(LiveRoom& room, int station, int student) {
  ASSERT_OK(room.Input(station, "!retake " + room.student(station, student).registry_no));
  ASSERT_OK(room.AwaitLine(station, {"kind=MARK_RETAKE"}, kWait).status());
  auto file = room.DropShot(station);
  ASSERT_OK(file.status());
  ASSERT_OK(room.AwaitLine(station, {"kind=SHOT_TAKEN", "file=" + *file}, kWait).status());
}

// The head station `station`'s agent kept, as `station-agent --print-checkpoint` prints it.
Result<std::string> KeptLine(const LiveRoom& room, int station) {
  auto child = sim::ChildProcess::Spawn({CAPTURE_BIN_DIR "/station-agent", "--journal", room.journal_dir(station),
                                         "--print-checkpoint"},
                                        room.path("print-checkpoint.log"));
  if (!child.ok()) return child.status();
  std::optional<std::string> line = (*child)->ReadLine(std::chrono::steady_clock::now() + kWait);
  auto exit = (*child)->Wait(kWait);
  if (!exit.ok()) return exit.status();
  if (!exit->Succeeded() || !line) return Status::NotFound("station " + std::to_string(station) + " kept no head yet");
  return *line;
}

// Waits until the station's agent keeps a head of the whole record as the coordinator has it now.
Status AwaitWitness(LiveRoom& room, int station) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  std::string last = "none";
  while (std::chrono::steady_clock::now() < deadline) {
    auto status = QueryStatus(room.registrar(), 2000);
    if (!status.ok()) return status.status();
    auto line = KeptLine(room, station);
    if (line.ok()) {
      last = *line;
      auto head = ParseCheckpoint(*line);
      if (head.ok() && head->size >= 4 + status->commit_index()) return Status::Ok();
    }
    std::this_thread::sleep_for(20ms);
  }
  return Status::Unavailable("station " + std::to_string(station) + " kept no head of the whole record; last: " + last);
}

// The day of these tests: three students at station 1 (the second retaken), two at station 2;
// both stations keep a head of the whole record, saved in station-N.cp; the coordinator stopped.
void PlayDay(LiveRoom& room) {
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1));
  ASSERT_OK(room.StartAgent(2));
  for (int student = 0; student < 3; ++student) Photograph(room, 1, student);
  Retake(room, 1, 1);
  for (int student = 0; student < 2; ++student) Photograph(room, 2, student);
  ASSERT_OK(room.WaitUntilStored(kWait));
  ASSERT_OK(AwaitImagesFiled({room.journal_dir(1), room.journal_dir(2)}, room.store(), kWait));
  for (int station : {1, 2}) {
    ASSERT_OK(AwaitWitness(room, station));
    auto line = KeptLine(room, station);
    ASSERT_OK(line.status());
    ASSERT_OK(WriteFileDurably(room.path("station-" + std::to_string(station) + ".cp"), *line + "\n"));
  }
  ASSERT_OK(room.StopCoordinator());
  ASSERT_OK(room.StopAgent(1));
  ASSERT_OK(room.StopAgent(2));
}

// A copy of the stopped store, to rewrite.
std::string CopyStore(const LiveRoom& room) {
  const std::string copy = room.path("copy");
  std::filesystem::copy(room.store(), copy, std::filesystem::copy_options::recursive);
  return copy;
}

// Rewrites a stopped store as whoever holds it and its coordinator.key could: the items through
// `rewrite` (which may drop some), renumbered by commit index, the roster replaced when given, every
// verdict judged again over the rewritten record, and every stored head signed again (with its own
// time) over the rewritten tree, its size shrunk by the items dropped below it.
void Forge(const std::string& store_dir, const std::function<void(std::vector<wire::RecordItem>&)>& rewrite,
           const std::optional<std::string>& roster) {
  constexpr uint64_t kInputLeaves = 4;
  StoredJudgeInputs inputs;
  std::vector<wire::RecordItem> items;
  std::vector<Checkpoint> heads;
  {
    auto store = RecordStore::Open(store_dir, /*read_only=*/true);
    ASSERT_OK(store.status());
    auto stored = (*store)->ReadStoredJudgeInputs();
    ASSERT_OK(stored.status());
    inputs = *stored;
    ASSERT_OK((*store)->ForEachItem([&](const wire::RecordItem& item) {
      items.push_back(item);
      return true;
    }));
    ASSERT_OK((*store)->ForEachCheckpoint([&](uint64_t, std::string_view line) {
      heads.push_back(*ParseCheckpoint(line));
      return true;
    }));
  }
  const uint64_t stored_items = items.size();
  rewrite(items);
  for (Checkpoint& head : heads) {
    head.size = kInputLeaves + std::count_if(items.begin(), items.end(), [&](const wire::RecordItem& item) {
                  return item.commit_index() + kInputLeaves <= head.size;
                });
  }
  for (size_t i = 0; i < items.size(); ++i) items[i].set_commit_index(i + 1);
  if (roster) inputs.roster_csv = *roster;
  JudgeInputs parsed;
  ASSERT_TRUE(parsed.config.ParseFromString(inputs.config));
  parsed.schedule_csv = inputs.schedule_csv;
  parsed.roster_csv = inputs.roster_csv;
  parsed.station_keys_csv = inputs.station_keys_csv;
  auto judge = MakeJudge(parsed);
  ASSERT_OK(judge.status());
  std::vector<uint64_t> sizes;
  for (const Checkpoint& head : heads) sizes.push_back(head.size);
  RecordTree tree(inputs, sizes);
  std::vector<std::string> values;
  wire::Verdict verdict;
  for (const wire::RecordItem& item : items) {
    (*judge)->Apply(item, nullptr, &verdict);
    wire::StoredItem stored;
    stored.set_item(item.SerializeAsString());
    stored.set_verdict(verdict.SerializeAsString());
    tree.AppendItem(stored.item(), stored.verdict());
    values.push_back(stored.SerializeAsString());
  }
  auto identity = Identity::Load(store_dir + "/coordinator.key");
  ASSERT_OK(identity.status());

  RawStore raw(store_dir);
  for (size_t i = 0; i < values.size(); ++i) raw.Put("record", BigEndian64(i + 1), values[i]);
  for (uint64_t index = values.size() + 1; index <= stored_items; ++index) raw.Delete("record", BigEndian64(index));
  raw.Put("meta", "commit_index", BigEndian64(values.size()));
  raw.Put("meta", "roster_csv", inputs.roster_csv);
  raw.DeleteIf("meta", "h", [](const std::string&) { return true; });
  for (const Checkpoint& head : heads) {
    const Checkpoint again = SignCheckpoint(head.size, *tree.RootAt(head.size), head.time_us, *identity);
    raw.Put("meta", "h" + BigEndian64(head.size), FormatCheckpoint(again));
  }
}

// The assignment export's row of a student (judge::kAssignmentHeader).
CsvRow AssignmentRow(LiveRoom& room, const std::string& store_dir, const Student& student) {
  auto run = room.Capturectl({"export", "assignment", "--store", store_dir});
  EXPECT_TRUE(run.ok() && run->exit_code == 0);
  auto rows = ParseCsv(run.ok() ? run->out : "", "assignment");
  EXPECT_TRUE(rows.ok());
  for (const CsvRow& row : rows.ok() ? *rows : std::vector<CsvRow>{}) {
    if (!row.empty() && row[0] == student.student_no) return row;
  }
  ADD_FAILURE() << "no assignment row of " << student.student_no;
  return {};
}

Result<CtlRun> Verify(LiveRoom& room, const std::string& store_dir, const std::vector<int>& witnesses = {}) {
  std::vector<std::string> args = {"verify", "--store", store_dir};
  for (int station : witnesses) {
    args.push_back("--checkpoint");
    args.push_back(room.path("station-" + std::to_string(station) + ".cp"));
  }
  return room.Capturectl(args);
}

// The line of verify's output after its first that starts with `prefix`, or empty when none does.
std::string LineStartingWith(const std::string& out, const std::string& prefix) {
  const size_t at = out.find("\n" + prefix);
  if (at == std::string::npos) return "";
  return out.substr(at + 1, out.find('\n', at + 1) - at - 1);
}

// ---- the judge's rules ----

TEST(RecordProof, VerifyAndTheCoordinatorRefuseARecordJudgedByOtherRulesAndNameBothVersions) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1));
  Photograph(room, 1, 0);
  ASSERT_OK(room.WaitUntilStored(kWait));
  ASSERT_OK(room.StopAgent(1));
  ASSERT_OK(room.StopCoordinator());
  {
    RawStore raw(room.store());
    wire::JudgeConfig config;
    ASSERT_TRUE(config.ParseFromString(raw.Get("meta", "judge_config")));
    config.set_rules_version(judge::kRulesVersion + 1);
    raw.Put("meta", "judge_config", config.SerializeAsString());
  }
  const std::string versions = "judged by version " + std::to_string(judge::kRulesVersion + 1) +
                               " of the judge's rules, and this program judges by version " +
                               std::to_string(judge::kRulesVersion);
  auto verify = Verify(room, room.store());
  ASSERT_OK(verify.status());
  EXPECT_EQ(verify->exit_code, 2) << verify->out;
  EXPECT_EQ(verify->out.find("differs"), std::string::npos) << verify->out;
  EXPECT_NE(verify->err.find(versions), std::string::npos) << verify->err;
  EXPECT_FALSE(room.StartCoordinator().ok());
  auto coordinator_log = ReadFile(room.path("coordinator.log"));
  ASSERT_OK(coordinator_log.status());
  EXPECT_NE(coordinator_log->find(versions), std::string::npos) << *coordinator_log;
}

// ---- the coordinator's heads ----

TEST(RecordProof, TheTreeRecomputedFromTheStoreLeadsToEveryHeadTheCoordinatorSignedAndTheStationsKept) {
  LiveRoom room;
  PlayDay(room);
  if (HasFatalFailure()) return;
  auto store = RecordStore::Open(room.store(), /*read_only=*/true);
  ASSERT_OK(store.status());
  auto inputs = (*store)->ReadStoredJudgeInputs();
  ASSERT_OK(inputs.status());
  std::vector<std::pair<uint64_t, std::string>> lines;
  ASSERT_OK((*store)->ForEachCheckpoint([&](uint64_t size, std::string_view line) {
    lines.emplace_back(size, line);
    return true;
  }));
  ASSERT_GE(lines.size(), 2u);
  std::vector<uint64_t> sizes;
  for (const auto& [size, line] : lines) sizes.push_back(size);
  RecordTree tree(*inputs, sizes);
  ASSERT_OK((*store)->ForEachStoredItem([&](const wire::RecordItem&, std::string_view item, std::string_view verdict) {
    tree.AppendItem(item, verdict);
    return true;
  }));
  auto key = ReadPublicKey(room.store() + "/coordinator.pub");
  ASSERT_OK(key.status());
  for (const auto& [size, line] : lines) {
    auto head = ParseCheckpoint(line);
    ASSERT_OK(head.status());
    EXPECT_OK(VerifyCheckpointSignature(*head, *key));
    EXPECT_EQ(tree.RootAt(size), head->root) << line;
  }
  // The clean stop signed the whole record.
  EXPECT_EQ(lines.back().first, tree.size());
  EXPECT_EQ(ParseCheckpoint(lines.back().second)->root, tree.Root());
  // Each station's head is one the coordinator stored.
  for (int station : {1, 2}) {
    auto kept = ReadFile(room.path("station-" + std::to_string(station) + ".cp"));
    ASSERT_OK(kept.status());
    kept->pop_back();
    EXPECT_NE(std::find_if(lines.begin(), lines.end(), [&](const auto& l) { return l.second == *kept; }), lines.end())
        << "station " << station << " kept " << *kept;
  }
  store->reset();

  auto checkpoint = room.Capturectl({"checkpoint", "--store", room.store()});
  ASSERT_OK(checkpoint.status());
  EXPECT_EQ(checkpoint->exit_code, 0);
  EXPECT_EQ(checkpoint->out, lines.back().second);
  auto verify = Verify(room, room.store(), {1, 2});
  ASSERT_OK(verify.status());
  EXPECT_EQ(verify->exit_code, 0) << verify->out;
  EXPECT_NE(verify->out.find("\nverified heads="), std::string::npos) << verify->out;
  EXPECT_NE(verify->out.find("\nverified checkpoint size="), std::string::npos) << verify->out;
}

TEST(RecordProof, CapturectlCheckpointOverTheControlSocketIsTheHeadTheStationsAreSent) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1));
  Photograph(room, 1, 0);
  ASSERT_OK(room.WaitUntilStored(kWait));
  ASSERT_OK(AwaitWitness(room, 1));
  auto live = room.Capturectl({"checkpoint", "--connect", room.control()});
  ASSERT_OK(live.status());
  EXPECT_EQ(live->exit_code, 0);
  auto kept = KeptLine(room, 1);
  ASSERT_OK(kept.status());
  auto head = ParseCheckpoint(live->out);
  ASSERT_OK(head.status());
  EXPECT_EQ(head->key, *ReadPublicKey(room.store() + "/coordinator.pub"));
  EXPECT_EQ(live->out, *kept) << "nothing was committed since the station was sent the head";
  ASSERT_OK(room.StopCoordinator());
}

// ---- stores rewritten by their holder: each passes the verdict check, and fails a station's head ----

TEST(RecordProof, ItemsAndVerdictsRewrittenTogetherAndTheHeadsSignedAgainAreFoundAgainstAStationsHead) {
  LiveRoom room;
  PlayDay(room);
  if (HasFatalFailure()) return;
  const std::string copy = CopyStore(room);
  const Student a = room.student(1, 0), b = room.student(1, 2);
  const CsvRow before = AssignmentRow(room, copy, a);
  // The two students' code reads swapped: each now has the other's photo.
  Forge(copy, [&](std::vector<wire::RecordItem>& items) {
    for (wire::RecordItem& item : items) {
      wire::CaptureEvent event;
      if (!item.has_event() || !event.ParseFromString(item.event()) || event.kind() != wire::CODE_READ) continue;
      const Student* other = event.code().registry_no() == a.registry_no   ? &b
                             : event.code().registry_no() == b.registry_no ? &a
                                                                            : nullptr;
      if (!other) continue;
      event.mutable_code()->set_registry_no(other->registry_no);
      event.mutable_code()->set_masked_name(other->masked_name);
      item.set_event(event.SerializeAsString());
    }
  }, std::nullopt);
  const CsvRow after = AssignmentRow(room, copy, a);
  ASSERT_EQ(after.size(), 9u);
  EXPECT_NE(after[6], before[6]) << "student " << a.student_no << "'s photo is another image now";

  // Every verdict is the judge's and every tree head re-signed, but the events no longer link to the
  // stations' chains: the station heads kept beside the record name other bytes.
  auto plain = Verify(room, copy);
  ASSERT_OK(plain.status());
  EXPECT_EQ(plain->exit_code, 1) << plain->out;
  EXPECT_NE(plain->out.find("\nbroken chain commit_index="), std::string::npos) << plain->out;

  auto witnessed = Verify(room, copy, {1});
  ASSERT_OK(witnessed.status());
  EXPECT_EQ(witnessed->exit_code, 1) << witnessed->out;
  EXPECT_EQ(witnessed->out.rfind("verified items=", 0), 0u) << witnessed->out;
  const std::string finding = LineStartingWith(witnessed->out, "differs checkpoint size=");
  ASSERT_FALSE(finding.empty()) << witnessed->out;
  EXPECT_NE(finding.find("(the checkpoint in " + room.path("station-1.cp") + ")"), std::string::npos) << finding;
  EXPECT_NE(finding.find("commit indexes 1.."), std::string::npos) << finding;
  EXPECT_NE(finding.find("the coordinator's key signed two trees of one size"), std::string::npos) << finding;
}

TEST(RecordProof, AnEditedRosterWithItsVerdictsDerivedAgainIsFoundAgainstAStationsHead) {
  LiveRoom room;
  PlayDay(room);
  if (HasFatalFailure()) return;
  const std::string copy = CopyStore(room);
  const Student a = room.student(1, 0), b = room.student(1, 2);
  const CsvRow before = AssignmentRow(room, copy, a);
  auto store = RecordStore::Open(copy, true);
  ASSERT_OK(store.status());
  std::string roster = (*store)->ReadStoredJudgeInputs()->roster_csv;
  store->reset();
  // The two students' registry numbers swapped on the roster: each student number, another photo.
  const size_t at_a = roster.find("," + a.registry_no + ","), at_b = roster.find("," + b.registry_no + ",");
  ASSERT_NE(at_a, std::string::npos);
  ASSERT_NE(at_b, std::string::npos);
  roster.replace(at_a + 1, a.registry_no.size(), b.registry_no);
  roster.replace(at_b + 1, b.registry_no.size(), a.registry_no);
  Forge(copy, [](std::vector<wire::RecordItem>&) {}, roster);
  const CsvRow after = AssignmentRow(room, copy, a);
  ASSERT_EQ(after.size(), 9u);
  EXPECT_NE(after[6], before[6]) << "student " << a.student_no << "'s photo is another image now";

  auto plain = Verify(room, copy);
  ASSERT_OK(plain.status());
  EXPECT_EQ(plain->exit_code, 0) << plain->out;

  auto witnessed = Verify(room, copy, {1, 2});
  ASSERT_OK(witnessed.status());
  EXPECT_EQ(witnessed->exit_code, 1) << witnessed->out;
  for (int station : {1, 2}) {
    EXPECT_NE(witnessed->out.find("(the checkpoint in " + room.path("station-" + std::to_string(station) + ".cp") +
                                  "): the record's first "),
              std::string::npos)
        << witnessed->out;
  }
  EXPECT_NE(witnessed->out.find("the judge's inputs: schedule, roster, config, station-keys"), std::string::npos)
      << witnessed->out;
}

// Drops station 1's shot of `student` and renumbers the station's later events, each linked again to
// the one now before it, as a store writer hiding a photo would: the chain holds again, and only the
// heads the station signed (which the writer cannot sign again) name the bytes that were there.
void DropShotAndRenumber(std::vector<wire::RecordItem>& items, const Student& student) {
  std::optional<StreamId> stream;
  uint64_t dropped_seq = 0;
  bool read_student = false;
  Sha256 last_hash{};
  for (auto item = items.begin(); item != items.end();) {
    wire::CaptureEvent event;
    if (!item->has_event() || !event.ParseFromString(item->event()) || event.station() != 1) {
      ++item;
      continue;
    }
    if (!stream && event.kind() == wire::CODE_READ) read_student = event.code().registry_no() == student.registry_no;
    if (!stream && read_student && event.kind() == wire::SHOT_TAKEN) {
      stream = StreamId{event.station(), event.epoch()};
      dropped_seq = event.seq();
      item = items.erase(item);
      continue;
    }
    if (stream && event.epoch() == stream->epoch && event.seq() > dropped_seq) {
      event.set_seq(event.seq() - 1);
      event.set_prev_sha256(AsBytes(last_hash));
      item->set_event(event.SerializeAsString());
    }
    last_hash = ComputeSha256(item->event());
    ++item;
  }
  ASSERT_TRUE(stream) << "station 1 took no shot of " << student.student_no;
}

TEST(RecordProof, AnEventDroppedFromAStationsChainWithTheRestRenumberedIsFoundAgainstTheStationsHeads) {
  LiveRoom room;
  PlayDay(room);
  if (HasFatalFailure()) return;
  const std::string copy = CopyStore(room);
  const Student hidden = room.student(1, 2);
  const CsvRow before = AssignmentRow(room, copy, hidden);
  ASSERT_EQ(before.size(), 9u);
  ASSERT_FALSE(before[6].empty()) << "the student was photographed";
  Forge(copy, [&](std::vector<wire::RecordItem>& items) { DropShotAndRenumber(items, hidden); }, std::nullopt);
  if (HasFatalFailure()) return;
  const CsvRow after = AssignmentRow(room, copy, hidden);
  ASSERT_EQ(after.size(), 9u);
  EXPECT_TRUE(after[6].empty()) << "student " << hidden.student_no << " has no photo in the forged record";

  // Every link holds and every verdict is the judge's; the heads station 1 signed do not.
  auto plain = Verify(room, copy);
  ASSERT_OK(plain.status());
  EXPECT_EQ(plain->exit_code, 1) << plain->out;
  EXPECT_EQ(plain->out.rfind("verified items=", 0), 0u) << plain->out;
  const std::string finding = LineStartingWith(plain->out, "broken chain commit_index=");
  ASSERT_FALSE(finding.empty()) << plain->out;
  EXPECT_TRUE(finding.find("is not the event station 1 signed") != std::string::npos ||
              finding.find(", and the record ends at seq ") != std::string::npos)
      << finding;

  // The writer deletes those heads too: the chains alone no longer show it, a head a station kept does,
  // station 2's as well as station 1's.
  {
    RawStore raw(copy);
    raw.DeleteIf("meta", "w", [](const std::string& value) {
      wire::ChainHead head;
      return head.ParseFromString(value) && head.station() == 1;
    });
  }
  auto unsigned_chain = Verify(room, copy);
  ASSERT_OK(unsigned_chain.status());
  EXPECT_EQ(unsigned_chain->out.find("broken chain"), std::string::npos) << unsigned_chain->out;
  for (int station : {1, 2}) {
    auto witnessed = Verify(room, copy, {station});
    ASSERT_OK(witnessed.status());
    EXPECT_EQ(witnessed->exit_code, 1) << witnessed->out;
    EXPECT_NE(witnessed->out.find("\ndiffers checkpoint size="), std::string::npos) << witnessed->out;
    EXPECT_NE(witnessed->out.find("(the checkpoint in " + room.path("station-" + std::to_string(station) + ".cp") + ")"),
              std::string::npos)
        << witnessed->out;
  }
}

// ---- a student's photo, proven offline ----

// The proof of the retaken student at station 1, written by capturectl prove.
json Prove(LiveRoom& room, const Student& student, const std::string& file) {
  auto prove = room.Capturectl({"prove", "--student", student.student_no, "--store", room.store(), "--out", file});
  EXPECT_TRUE(prove.ok() && prove->exit_code == 0);
  auto text = ReadFile(file);
  EXPECT_TRUE(text.ok());
  return json::parse(text.ok() ? *text : "{}");
}

// check-proof with the coordinator's key (or `key`, a file or hex) and `extra` arguments.
Result<CtlRun> CheckProof(LiveRoom& room, const std::string& file, const std::vector<std::string>& extra = {},
                          const std::string& key = "") {
  std::vector<std::string> args = {"check-proof", file, "--coordinator-key",
                                   key.empty() ? room.store() + "/coordinator.pub" : key};
  args.insert(args.end(), extra.begin(), extra.end());
  return room.Capturectl(args);
}

TEST(RecordProof, AProofOfAStudentsPhotoChecksOfflineAndShowsTheBindingTheAssignmentHas) {
  LiveRoom room;
  PlayDay(room);
  if (HasFatalFailure()) return;
  const Student& student = room.student(1, 1);  // retaken: the second shot is the photo
  const json proof = Prove(room, student, room.path("proof.json"));
  std::set<std::string> roles;
  for (const json& leaf : proof.at("leaves")) {
    for (const json& role : leaf.at("roles")) roles.insert(role.get<std::string>());
  }
  EXPECT_EQ(roles, (std::set<std::string>{"roster", "code_read", "shot", "mark", "binding"}));

  // Offline: the store is gone, the proof and the coordinator's public key are enough.
  const CsvRow row = AssignmentRow(room, room.store(), student);
  ASSERT_EQ(row.size(), 9u);
  ASSERT_OK(WriteFileDurably(room.path("coordinator.pub"), *ReadFile(room.store() + "/coordinator.pub")));
  std::filesystem::remove_all(room.store());
  auto checked = room.Capturectl({"check-proof", room.path("proof.json"), "--coordinator-key",
                                  room.path("coordinator.pub"), "--student", student.student_no});
  ASSERT_OK(checked.status());
  EXPECT_EQ(checked->exit_code, 0) << checked->out;
  EXPECT_EQ(checked->out.rfind("proven student_no=" + student.student_no + " registry_no=" + student.registry_no +
                                   " station=" + row[4] + " shot=" + row[5] + " image_file=" + row[6] +
                                   " image_sha256=" + row[7] + " commit_index=",
                               0),
            0u)
      << checked->out;
  EXPECT_EQ(row[6], "IMG_0004.JPG") << "the retake";
}

// Every way of changing a proof, each checked by the real program: it must say the proof is invalid.
class ProofTampering : public ::testing::Test {
 protected:
  void SetUp() override {
    PlayDay(room_);
    if (HasFatalFailure()) return;
    proof_ = Prove(room_, room_.student(1, 1), room_.path("proof.json"));
    auto good = CheckProof(room_, room_.path("proof.json"));
    ASSERT_OK(good.status());
    ASSERT_EQ(good->exit_code, 0) << good->out;
  }

  // Checks `changed` in place of the proof: it must fail, with the reason on stdout.
  void ExpectRefused(const json& changed, const std::string& what, const std::vector<std::string>& extra = {},
                     const std::string& key = "") {
    const std::string file = room_.path("changed-" + std::to_string(++changes_) + ".json");
    ASSERT_OK(WriteFileDurably(file, changed.dump(2)));
    auto run = CheckProof(room_, file, extra, key);
    ASSERT_OK(run.status());
    EXPECT_EQ(run->exit_code, 1) << what << ": " << run->out;
    EXPECT_EQ(run->out.rfind("invalid proof " + file + ": ", 0), 0u) << what << ": " << run->out;
  }

  static std::string FlipHexDigit(std::string hex, size_t at) {
    hex[at] = hex[at] == '0' ? '1' : '0';
    return hex;
  }
  // A checkpoint line with one field's value replaced.
  static std::string WithField(const std::string& line, const std::string& field, const std::string& value) {
    const size_t start = line.find(" " + field + "=") + field.size() + 2;
    const size_t end = line.find(' ', start);
    return line.substr(0, start) + value + (end == std::string::npos ? "" : line.substr(end));
  }

  LiveRoom room_;
  json proof_;
  int changes_ = 0;
};

TEST_F(ProofTampering, AnyChangedHashInAPathOrAChangedLeafFailsTheProof) {
  if (HasFatalFailure()) return;
  for (size_t leaf = 0; leaf < proof_["leaves"].size(); ++leaf) {
    for (size_t hash = 0; hash < proof_["leaves"][leaf]["path"].size(); ++hash) {
      json changed = proof_;
      std::string& h = changed["leaves"][leaf]["path"][hash].get_ref<std::string&>();
      h = FlipHexDigit(h, 17);
      ExpectRefused(changed, "leaf " + std::to_string(leaf) + " path hash " + std::to_string(hash));
    }
    json changed = proof_;
    std::string& bytes = changed["leaves"][leaf]["bytes"].get_ref<std::string&>();
    bytes[bytes.size() / 2] = bytes[bytes.size() / 2] == 'A' ? 'B' : 'A';
    ExpectRefused(changed, "leaf " + std::to_string(leaf) + " bytes");
  }
  for (size_t hash = 0; hash < proof_["roster_record"]["path"].size(); ++hash) {
    json changed = proof_;
    std::string& h = changed["roster_record"]["path"][hash].get_ref<std::string&>();
    h = FlipHexDigit(h, 40);
    ExpectRefused(changed, "roster path hash " + std::to_string(hash));
  }
  json changed = proof_;
  std::string& record = changed["roster_record"]["bytes"].get_ref<std::string&>();
  record[2] = record[2] == 'A' ? 'B' : 'A';
  ExpectRefused(changed, "roster record bytes");
  changed = proof_;
  const std::string line = proof_["checkpoint"];
  changed["checkpoint"] = WithField(line, "root", FlipHexDigit(line.substr(line.find(" root=") + 6, 64), 3));
  ExpectRefused(changed, "the head's root");
}

TEST_F(ProofTampering, AnyChangedIndexOrSizeFailsTheProof) {
  if (HasFatalFailure()) return;
  for (size_t leaf = 0; leaf < proof_["leaves"].size(); ++leaf) {
    const uint64_t index = proof_["leaves"][leaf]["index"];
    for (const uint64_t other : {index + 1, index - 1, index + 4}) {
      if (other == index - 1 && index == 0) continue;
      json changed = proof_;
      changed["leaves"][leaf]["index"] = other;
      ExpectRefused(changed, "leaf " + std::to_string(leaf) + " index " + std::to_string(other));
    }
    if (proof_["leaves"][leaf].contains("commit_index")) {
      json changed = proof_;
      changed["leaves"][leaf]["commit_index"] = proof_["leaves"][leaf]["commit_index"].get<uint64_t>() + 1;
      ExpectRefused(changed, "leaf " + std::to_string(leaf) + " commit_index");
    }
  }
  const uint64_t record_index = proof_["roster_record"]["index"];
  for (const uint64_t other : {record_index + 1, record_index - 1}) {
    json changed = proof_;
    changed["roster_record"]["index"] = other;
    ExpectRefused(changed, "roster record index " + std::to_string(other));
  }
  const uint64_t size = proof_["tree_size"];
  json changed = proof_;
  changed["tree_size"] = size + 1;
  ExpectRefused(changed, "tree_size");
  changed = proof_;
  changed["checkpoint"] = WithField(proof_["checkpoint"], "size", std::to_string(size + 1));
  changed["tree_size"] = size + 1;
  ExpectRefused(changed, "the head's size, and tree_size with it");
  changed = proof_;
  changed["roster_record"]["records"] = proof_["roster_record"]["records"].get<uint64_t>() + 1;
  ExpectRefused(changed, "the roster's record count");
}

TEST_F(ProofTampering, AChangedSignatureOrKeyOrAHeadOfAnotherKeyFailsTheProof) {
  if (HasFatalFailure()) return;
  const std::string line = proof_["checkpoint"];
  auto head = ParseCheckpoint(line);
  ASSERT_OK(head.status());
  json changed = proof_;
  changed["checkpoint"] = WithField(line, "sig", FlipHexDigit(line.substr(line.find(" sig=") + 5), 100));
  ExpectRefused(changed, "the signature");
  changed = proof_;
  changed["checkpoint"] = WithField(line, "time", "2024-04-22T08:30:05.123456Z");
  ExpectRefused(changed, "the head's time");
  const Identity impostor = Identity::Generate();
  changed = proof_;
  changed["checkpoint"] = WithField(line, "key", KeyHex(impostor.public_key()));
  ExpectRefused(changed, "the head's key");
  changed = proof_;
  changed["checkpoint"] = FormatCheckpoint(SignCheckpoint(head->size, head->root, head->time_us, impostor));
  ExpectRefused(changed, "a head signed by another key");
  ExpectRefused(proof_, "checked against another key", {}, KeyHex(impostor.public_key()));
  changed = proof_;
  changed["binding"]["shot"] = 1;
  ExpectRefused(changed, "the binding's summary");
  changed = proof_;
  json kept = json::array();
  for (const json& leaf : proof_["leaves"]) {
    const auto& roles = leaf["roles"];
    if (std::find(roles.begin(), roles.end(), "shot") == roles.end()) kept.push_back(leaf);
  }
  changed["leaves"] = kept;
  ExpectRefused(changed, "the shot's leaf left out");
}

TEST_F(ProofTampering, AProofCheckedAgainstAnotherStudentFails) {
  if (HasFatalFailure()) return;
  const Student& other = room_.student(1, 0);
  ExpectRefused(proof_, "--student of another", {"--student", other.student_no});
  json changed = proof_;
  changed["student_no"] = other.student_no;
  ExpectRefused(changed, "student_no changed to another", {"--student", other.student_no});
  // Another student's own proof is theirs, not this one's.
  const json theirs = Prove(room_, other, room_.path("other.json"));
  ExpectRefused(theirs, "the other's proof as this student's", {"--student", room_.student(1, 1).student_no});
}

}  // namespace
}  // namespace capture::coord
