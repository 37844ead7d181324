// capture-sim: a synthetic kit (roster, collection codes, site key), single demo codes, and a
// whole simulated capture day played through real station-agent and coordinator processes.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "common/collection_code.h"
#include "common/fs.h"
#include "common/schedule.h"
#include "tools/capture-sim/day.h"
#include "tools/capture-sim/kit.h"
#include "tools/capture-sim/roster.h"

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
  auto roster = MakeSyntheticRoster(*schedule, seed);
  if (!roster.ok()) return Fail(roster.status().message());
  if (Status st = WriteKit(dir, *roster, GenerateSiteKey()); !st.ok()) return Fail(st.message());
  std::cout << "kit dir=" << dir << " students=" << roster->students.size() << " files=" << kRosterFile << ","
            << kCodesFile << "," << kSiteKeyFile << std::endl;
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Simulates a graduation-photo capture day: writes a synthetic kit, starts a coordinator and one "
      "station-agent per schedule station on 127.0.0.1, plays every student through the agents' real "
      "inputs (code lines and camera JPEGs), waits until the coordinator stored every event, prints a "
      "summary. Exit 0 when every event was stored, 1 otherwise."};
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

  auto* kit = app.add_subcommand("kit", "Write roster.csv, codes.csv and site.key into DIR, and nothing else");
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

  CLI11_PARSE(app, argc, argv);

  if (kit->parsed()) return RunKit(kit_dir, kit_schedule, kit_seed, day.bin_dir);
  if (mint->parsed()) return RunMintCode(registry_no, masked_name, key_path);
  return RunDay(day, schedule, summary_path);
}
