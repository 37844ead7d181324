// capture-sim: a synthetic kit (roster, collection codes, site key), single demo codes, and a
// whole simulated capture day played through real station-agent and coordinator processes.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "common/collection_code.h"
#include "common/fs.h"
#include "common/schedule.h"
#include "common/time_zone.h"
#include "tools/capture-sim/day.h"
#include "tools/capture-sim/kit.h"
#include "tools/capture-sim/record_day.h"
#include "tools/capture-sim/roster.h"
#include "tools/capture-sim/scenario.h"
#include "tools/capture-sim/score.h"
#include "tools/capture-sim/truth.h"

namespace {

using namespace capture;
using namespace capture::sim;

int Fail(const std::string& message) {
  std::cerr << "capture-sim: " << message << "\n";
  return 1;
}

// The schedule named on the command line, or the default one found from `bin_dir`.
Result<std::string> SchedulePath(const std::string& given, const std::string& bin_dir) {
  if (!given.empty()) return given;
  return DefaultSchedulePath(bin_dir);
}

int RunKit(const std::string& dir, const std::string& schedule_flag, uint64_t seed, const std::string& bin_dir) {
  auto path = SchedulePath(schedule_flag, bin_dir);
  if (!path.ok()) return Fail(path.status().message());
  auto schedule = LoadSchedule(*path);
  if (!schedule.ok()) return Fail(schedule.status().message());
  auto roster = MakeScenarioRoster(*schedule, seed, kDefaultAbsentShare);
  if (!roster.ok()) return Fail(roster.status().message());
  if (Status st = WriteKit(dir, *roster, GenerateSiteKey(), schedule->Stations()); !st.ok()) return Fail(st.message());
  std::cout << "kit dir=" << dir << " students=" << roster->students.size() << " files=" << kRosterFile << ","
            << kCodesFile << "," << kSiteKeyFile << "," << kStationKeysFile << ",station-N.key," << kAuditorKeyFile << ","
            << kAuditorPublicKeyFile << std::endl;
  return 0;
}

int RunMintCode(const std::string& registry_no, const std::string& masked_name, const std::string& key_path) {
  auto key = LoadSiteKey(key_path);
  if (!key.ok()) return Fail(key.status().message());
  std::cout << MintDemoCode(*key, registry_no, masked_name) << std::endl;
  return 0;
}

int RunDay(DayOptions options, const std::string& schedule_flag, const std::string& summary_path) {
  auto path = SchedulePath(schedule_flag, options.bin_dir);
  if (!path.ok()) return Fail(path.status().message());
  options.schedule_path = *path;
  auto summary = PlayDay(options, stdout);
  if (!summary.ok()) return Fail(summary.status().message());
  std::fputs(FormatSummaryTable(*summary).c_str(), stdout);
  std::fflush(stdout);
  if (!summary_path.empty()) {
    if (Status st = WriteFileDurably(summary_path, FormatSummaryJson(*summary)); !st.ok()) return Fail(st.message());
  }
  return summary->ok() ? 0 : 1;
}

struct JudgeDayFlags {
  std::string schedule;
  std::string day = "2024-04-22";
  std::string tz = "Asia/Shanghai";
  uint64_t seed = 1;
  int faults = 0;
  std::vector<std::string> kinds;
  bool benign = true;
  bool observations = true;
  std::string site_key;
  double absent_share = kDefaultAbsentShare;
  std::string out;
};

int RunJudgeDay(const JudgeDayFlags& f, const std::string& bin_dir) {
  auto path = SchedulePath(f.schedule, bin_dir);
  if (!path.ok()) return Fail(path.status().message());
  auto schedule = LoadSchedule(*path);
  if (!schedule.ok()) return Fail(schedule.status().message());
  auto day = ParseDay(f.day);
  if (!day.ok()) return Fail(day.status().message());
  auto offset = UtcOffsetMinutes(f.tz, *day);
  if (!offset.ok()) return Fail(offset.status().message());
  InProcessOptions o;
  o.scenario.seed = f.seed;
  o.scenario.faults = f.faults;
  o.scenario.fault_kinds = f.kinds;
  o.scenario.benign = f.benign;
  o.scenario.coordinator_observations = f.observations;
  o.absent_share = f.absent_share;
  if (!f.site_key.empty()) {
    auto key = LoadSiteKey(f.site_key);
    if (!key.ok()) return Fail(key.status().message());
    o.scenario.site_key = *key;
  }
  o.scenario.local_midnight = LocalMidnight(*day, *offset);
  o.scenario.utc_offset_minutes = *offset;
  auto judged = RunInProcessDay(*schedule, o);
  if (!judged.ok()) return Fail(judged.status().message());
  if (Status st = WriteTruth(f.out, judged->scenario, /*in_process=*/true); !st.ok()) return Fail(st.message());
  if (Status st = WriteKit(f.out, judged->roster, judged->site_key, schedule->Stations()); !st.ok()) {
    return Fail(st.message());
  }
  if (Status st = WriteFileDurably(f.out + "/anomalies.jsonl", judged->judged.anomalies_jsonl); !st.ok()) {
    return Fail(st.message());
  }
  if (Status st = WriteFileDurably(f.out + "/assignment.csv", judged->judged.assignment_csv); !st.ok()) {
    return Fail(st.message());
  }
  std::cout << "judged day=" << f.day << " seed=" << f.seed << " faults=" << judged->scenario.faults.size()
            << " items=" << judged->judged.items << " anomalies=" << judged->judged.anomalies
            << " open=" << judged->judged.open_anomalies << " out=" << f.out << "\n"
            << FormatScoreTable(judged->score) << std::flush;
  return 0;
}

struct ScoreFlags {
  std::string truth;
  std::string photos;
  std::string anomalies;
  std::string assignment;
  bool json = false;
};

int RunScore(const ScoreFlags& f) {
  // --truth names truth.jsonl, or the folder holding it; photos.csv is beside it unless --photos.
  const bool folder = std::filesystem::is_directory(f.truth);
  const std::string truth_path = folder ? f.truth + "/" + kTruthFile : f.truth;
  const std::string photos_path =
      !f.photos.empty() ? f.photos : (std::filesystem::path(truth_path).parent_path() / kPhotosFile).string();
  auto read = [](const std::string& path) { return ReadFile(path); };
  auto truth_text = read(truth_path);
  if (!truth_text.ok()) return Fail(truth_text.status().message());
  auto photos_text = read(photos_path);
  if (!photos_text.ok()) return Fail(photos_text.status().message());
  auto anomalies_text = read(f.anomalies);
  if (!anomalies_text.ok()) return Fail(anomalies_text.status().message());
  auto assignment_text = read(f.assignment);
  if (!assignment_text.ok()) return Fail(assignment_text.status().message());
  auto faults = ParseTruthJsonl(*truth_text, truth_path);
  if (!faults.ok()) return Fail(faults.status().message());
  auto photos = ParsePhotosCsv(*photos_text, photos_path);
  if (!photos.ok()) return Fail(photos.status().message());
  auto anomalies = ParseAnomaliesJsonl(*anomalies_text, f.anomalies);
  if (!anomalies.ok()) return Fail(anomalies.status().message());
  auto assignment = ParseAssignmentCsv(*assignment_text, f.assignment);
  if (!assignment.ok()) return Fail(assignment.status().message());
  const Score score = ScoreDay(*faults, *photos, *anomalies, *assignment);
  std::cout << (f.json ? FormatScoreJson(score) : FormatScoreTable(score)) << std::flush;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Simulates a graduation-photo capture day: writes a synthetic kit, starts a coordinator and one "
      "station-agent per schedule station on 127.0.0.1, plays every student through the agents' real "
      "inputs (code lines and camera JPEGs), waits until the coordinator stored every event, prints a "
      "summary. Exit 0 when every event was stored, every image filed at the coordinator and the day closed "
      "without an error; 1 otherwise."};
  app.require_subcommand(0, 1);

  auto self_dir = ExecutableDir();
  DayOptions day;
  day.bin_dir = self_dir.ok() ? *self_dir : ".";
  day.work_dir = "./capture-day";
  std::string schedule, summary_path;
  app.add_option("--schedule", schedule,
                 "Schedule CSV (station,college,class,headcount,start,end); default "
                 "../shared/seed/schedule-2024-04-22.csv, else the repository's tests/data copy");
  app.add_option("--day", day.day, "The capture day, YYYY-MM-DD; schedule times are on this day")
      ->capture_default_str();
  app.add_option("--tz", day.tz, "Time zone of the schedule's times: an IANA name or an offset like +08:00")
      ->capture_default_str();
  app.add_option("--seed", day.seed, "Seed of the synthetic roster, absentees and images")->capture_default_str();
  app.add_option("--work", day.work_dir, "Work folder, wiped and re-created (only if made by capture-sim)")
      ->capture_default_str();
  app.add_option("--summary", summary_path, "Also write the summary as JSON to this file");
  app.add_option("--bin-dir", day.bin_dir, "Folder holding station-agent and coordinator; default: capture-sim's own");
  app.add_option("--absent-share", day.absent_share, "Share of students absent as interns, 0 to 1")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--time-per-student", day.time_per_student_s,
                 "Simulated seconds per student (code at T, shot at T+4 s)")
      ->capture_default_str()
      ->check(CLI::Range(kMinTimePerStudentSeconds, 3600));
  app.add_option("--events", day.events_endpoint,
                 "Events endpoint of an already running coordinator (with --control: none is started)");
  app.add_option("--control", day.control_endpoint, "Control endpoint of an already running coordinator");
  app.add_option("--coordinator-store", day.coordinator_store,
                 "With --events/--control: that coordinator's --store folder, if on this machine; the day then ends "
                 "only once every image is filed in its image store (as with a coordinator the simulator starts)");
  app.add_option("--keys", day.keys_dir,
                 "With --events/--control: the kit folder whose station-N.key files that coordinator enrolled "
                 "(its station-keys.csv)");
  app.add_option("--coordinator-key", day.coordinator_key,
                 "With --events/--control: that coordinator's public key file (default <coordinator-store>/coordinator.pub)");
  app.add_flag("--insecure", day.insecure, "Plain text on every socket of the day (prints a warning in every program)");
  app.add_option("--faults", day.faults, "Inject this many seeded faults (every kind a station can cause)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--benign,!--no-benign", day.benign,
               "Seeded benign variation: reordered classes, a late station, retakes, late files, double reads, "
               "voided test shots, a wrapping counter, an agent held up for a while (default: on)");
  app.add_option("--truth", day.truth_dir, "Write the ground truth (truth.jsonl, photos.csv) into this folder");
  app.add_flag("--lockstep", day.lockstep,
               "Wait until the coordinator stored each event before the next input, so it commits them in exactly "
               "the order played (slower)");
  std::string kill_agent;
  app.add_option("--test-kill-agent", kill_agent,
                 "Test hook, STATION:ACTION: SIGKILL that station's agent after its action number ACTION (from 0); "
                 "the simulator starts it again on its journal, as an operator would, and plays on")
      ->check([](const std::string& v) {
        const size_t colon = v.find(':');
        return colon != std::string::npos && colon > 0 && colon <= 9 && colon + 1 < v.size() && v.size() - colon <= 10 &&
                       v.find_first_not_of("0123456789:") == std::string::npos && v.find(':', colon + 1) == std::string::npos
                   ? std::string()
                   : std::string("STATION:ACTION, two numbers");
      });

  auto* kit = app.add_subcommand(
      "kit", "Write roster.csv, codes.csv, site.key, station-keys.csv and station-N.key per station into DIR, and "
             "nothing else");
  std::string kit_dir, kit_schedule;
  uint64_t kit_seed = day.seed;
  kit->add_option("DIR", kit_dir, "Folder to write the kit into (created if missing)")->required();
  kit->add_option("--schedule", kit_schedule, "Schedule CSV; default as for the day");
  kit->add_option("--seed", kit_seed, "Seed of the synthetic roster")->capture_default_str();

  auto* mint = app.add_subcommand("mint-code", "Print the demo collection code of any registry number");
  std::string registry_no, masked_name, key_path;
  mint->add_option("REGISTRY_NO", registry_no, "Registry number (学生唯一编号), on the roster or not")->required();
  mint->add_option("MASKED_NAME", masked_name, "Masked name the code reveals, e.g. 张*明; default empty");
  mint->add_option("--site-key", key_path, "Site key file (64 hex digits)")->required();

  auto* judge_day = app.add_subcommand(
      "judge-day",
      "Play a simulated day in process through the pure judge (no processes, seconds) and write its exports "
      "(anomalies.jsonl, assignment.csv), ground truth (truth.jsonl, photos.csv) and kit into --out; prints the "
      "score");
  JudgeDayFlags jd;
  judge_day->add_option("--schedule", jd.schedule, "Schedule CSV; default as for the day");
  judge_day->add_option("--day", jd.day, "The capture day, YYYY-MM-DD")->capture_default_str();
  judge_day->add_option("--tz", jd.tz, "Time zone of the schedule's times")->capture_default_str();
  judge_day->add_option("--seed", jd.seed, "Seed of the roster, the faults and the variation")->capture_default_str();
  judge_day->add_option("--faults", jd.faults, "How many faults to inject, coordinator observations included")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  judge_day->add_option("--kinds", jd.kinds, "Inject only these kinds (anomaly kind names); default every kind")
      ->delimiter(',');
  judge_day->add_flag("--benign,!--no-benign", jd.benign, "Seeded benign variation (default: on)");
  judge_day->add_flag("--observations,!--no-observations", jd.observations,
                      "Also inject the coordinator's own observations (silence, clock offsets, replaced agents); "
                      "without them the day is the one the main job plays with the same flags (default: on)");
  judge_day->add_option("--site-key", jd.site_key,
                        "Mint codes with this key (e.g. a real day's work/site.key, for byte-identical exports)");
  judge_day->add_option("--absent-share", jd.absent_share, "Share of students absent, 0 to 1")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  judge_day->add_option("--out", jd.out, "Folder to write into (created if missing)")->required();

  auto* score = app.add_subcommand(
      "score", "Compare a judge's exports with a day's ground truth: recall and precision per anomaly kind, overall "
               "precision (WARNING and BLOCKER), silent misassignments");
  ScoreFlags sf;
  score->add_option("--truth", sf.truth, "truth.jsonl, or the folder holding it and photos.csv")->required();
  score->add_option("--photos", sf.photos, "photos.csv; default: beside truth.jsonl");
  score->add_option("--anomalies", sf.anomalies, "The anomalies export (JSON Lines)")->required();
  score->add_option("--assignment", sf.assignment, "The assignment export (CSV)")->required();
  score->add_flag("--json", sf.json, "Print the score as JSON instead of a table");

  CLI11_PARSE(app, argc, argv);

  if (kit->parsed()) return RunKit(kit_dir, kit_schedule, kit_seed, day.bin_dir);
  if (mint->parsed()) return RunMintCode(registry_no, masked_name, key_path);
  if (judge_day->parsed()) return RunJudgeDay(jd, day.bin_dir);
  if (score->parsed()) return RunScore(sf);
  if (!kill_agent.empty()) {
    day.test_kill_station = std::stoi(kill_agent.substr(0, kill_agent.find(':')));
    day.test_kill_after_action = std::stoul(kill_agent.substr(kill_agent.find(':') + 1));
  }
  return RunDay(day, schedule, summary_path);
}
