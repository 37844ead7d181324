// station-agent: one per camera station. See agent.h for what it does and lines.h for its stdout.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "common/fs.h"
#include "common/log.h"
#include "common/utf8.h"
#include "station-agent/agent.h"
#include "station-agent/input.h"
#include "station-agent/journal.h"
#include "station-agent/lines.h"
#include "station-agent/shot_name.h"

int main(int argc, char** argv) {
  capture::agent::AgentOptions options;
  CLI::App app{"Camera station agent: journals every collection code, camera image and operator mark of one "
               "station durably, and sends them to the coordinator."};
  app.add_option("--station", options.station, "The schedule's number of this camera station (required).")
      ->check(CLI::Range(1u, 999u));
  app.add_option("--camera-dir", options.camera_dir,
                 "Folder the tethered camera writes its images into (watched with all its subfolders; required). "
                 "It must exist, so that a mistyped folder is not watched empty all day.");
  app.add_flag("--create-camera-dir", options.create_camera_dir,
               "Make the --camera-dir folder (and its parents) if it does not exist.");
  app.add_option("--identity", options.identity_path,
                 "The station's Ed25519 key file (made, mode 0600, if missing; default <journal>/station.key). The "
                 "registrar enrols its public key, which the ready line and --print-key show.");
  app.add_option("--coordinator-key", options.coordinator_key_path,
                 "The coordinator's public key: its <store>/coordinator.pub, or the key as 64 hex digits. Every "
                 "connection to the coordinator is encrypted and pinned to it.")
      ->default_val("./coordinator.pub");
  app.add_flag("--insecure", options.insecure,
               "Plain text on every socket: no encryption, no authentication. For tests on a private machine only.");
  app.add_option("--test-drop-share", options.test_drop_share,
                 "For tests: drop this share (0..1) of the frames published live, as a lossy network would; the "
                 "coordinator must ask for every gap again.")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--test-drop-seed", options.test_drop_seed, "For tests: the seed of --test-drop-share's losses.");
  app.add_option("--test-hold-ms", options.test_hold_ms,
                 "For tests: SIGUSR1 holds the event loop still for this many ms, as a long fsync on a slow disk "
                 "would, while the input is still read and stamped.")
      ->check(CLI::Range(0, 3'600'000));
  bool print_key = false;
  app.add_flag("--print-key", print_key, "Print the station's public key (making the key if needed) and exit.");
  bool print_checkpoint = false;
  app.add_flag("--print-checkpoint", print_checkpoint,
               "Print the newest tree head the coordinator signed and this station kept (a checkpoint line, for "
               "capturectl verify --checkpoint) and exit: 0 printed, 1 none yet or unreadable, 2 neither --journal nor "
               "--station given. Needs --journal DIR or "
               "--station N; works while the agent runs.");
  app.add_option("--input", options.input_path,
                 "File or named pipe to read code and mark lines from, instead of stdin. Marks: " +
                     std::string(capture::agent::kMarkForms) + ".");
  app.add_option("--journal", options.journal_dir,
                 "Folder of the durable local journal and image store (default ./station-N-journal).");
  app.add_option("--site-key", options.site_key_path, "File with the site key (64 hex digits) that decodes collection codes.")
      ->default_val("./site.key");
  app.add_option("--events", options.events_endpoint, "The coordinator's event endpoint; the agent's PUB connects to it.")
      ->default_val("tcp://127.0.0.1:5701");
  app.add_option("--control", options.control_endpoint,
                 "The coordinator's control endpoint; the agent's DEALER connects to it.")
      ->default_val("tcp://127.0.0.1:5702");
  app.add_option("--shot-pattern", options.shot_pattern,
                 "Regex (case-insensitive, one capture group: the shot number) matched against image file names "
                 "(default " + std::string(capture::agent::kDefaultShotPattern) + ").");
  app.add_flag("--sim-time", options.sim_time,
               "Take the station clock from '!time ISO8601' input lines instead of the system clock.");
  app.add_option("--heartbeat-ms", options.heartbeat_ms, "Milliseconds between heartbeats to the coordinator.")
      ->default_val(250)
      ->check(CLI::Range(10, 60000));
  app.add_option("--operator", options.operator_name, "Who makes the marks at this station (default station-N).");
  std::string console = "auto";
  app.add_option("--console", console,
                 "The operator's console: a status block redrawn in place on the terminal (station, "
                 "class progress, last code and shot, open blockers in red), instead of stdout's lines; auto: "
                 "when stdout is a terminal and TERM is not dumb.")
      ->check(CLI::IsMember({"auto", "on", "off"}))
      ->default_val("auto");
  std::string language = "zh";
  app.add_option("--lang", language,
                 "The console's language: zh (Chinese) or en (English): its labels, anomaly kinds and the "
                 "judge's messages. The stdout lines without a console stay English.")
      ->check(CLI::IsMember({"zh", "en"}))
      ->default_val("zh");
  CLI11_PARSE(app, argc, argv);
  options.language = *capture::ParseLanguage(language);
  using Console = capture::agent::AgentOptions::Console;
  options.console = console == "on" ? Console::kOn : console == "off" ? Console::kOff : Console::kAuto;

  const std::string n = std::to_string(options.station);
  if (print_checkpoint) {
    if (options.journal_dir.empty() && options.station == 0) {
      std::fprintf(stderr, "--print-checkpoint needs --journal DIR or --station N\n");
      return 2;
    }
    if (options.journal_dir.empty()) options.journal_dir = "./station-" + n + "-journal";
    auto journal = capture::agent::Journal::Open(options.journal_dir, /*read_only=*/true);
    auto line = journal.ok() ? (*journal)->Checkpoint() : capture::Result<std::string>(journal.status());
    if (!line.ok()) {
      std::fprintf(stderr, "station-agent: %s: %s\n", options.journal_dir.c_str(), line.status().message().c_str());
      return 1;
    }
    std::printf("%s\n", line->c_str());
    return 0;
  }
  if (print_key) {
    if (options.identity_path.empty() && options.journal_dir.empty() && options.station == 0) {
      std::fprintf(stderr, "--print-key needs --identity FILE, --journal DIR or --station N\n");
      return 2;
    }
    if (options.journal_dir.empty()) options.journal_dir = "./station-" + n + "-journal";
    if (options.identity_path.empty()) {
      if (capture::Status s = capture::MakePrivateDirs(options.journal_dir); !s.ok()) {
        capture::LogError("agent", s.message());
        return 1;
      }
    }
    auto identity = capture::agent::LoadStationIdentity(options);
    if (!identity.ok()) {
      capture::LogError("agent", identity.status().message());
      return 1;
    }
    std::printf("%s\n", capture::KeyHex(identity->public_key()).c_str());
    return 0;
  }
  if (options.station == 0 || options.camera_dir.empty()) {
    std::fprintf(stderr, "--station and --camera-dir are required\nRun with --help for more information.\n");
    return 2;
  }
  if (options.insecure) {
    capture::LogWarn("agent", "--insecure: this station sends everything in plain text and proves nothing of who it "
                              "is; anyone on the network can read and forge its events");
  }
  if (options.journal_dir.empty()) options.journal_dir = "./station-" + n + "-journal";
  if (options.operator_name.empty()) options.operator_name = "station-" + n;
  if (!capture::IsValidUtf8(options.operator_name)) {
    std::fprintf(stderr, "--operator is not UTF-8 text: set the terminal to UTF-8 and type it again\n");
    return 2;
  }

  auto agent = capture::agent::Agent::Start(options);
  if (!agent.ok()) {
    capture::LogError("agent", "cannot start station " + n + ": " + agent.status().message());
    return 1;
  }
  if (capture::Status st = (*agent)->Run(); !st.ok()) {
    const bool refused = (*agent)->refused();  // alerted as it came
    agent->reset();  // gives the terminal back, should the console have it
    capture::LogError("agent", "station " + n + " stopped: " + st.message());
    if (refused) return 1;
    const std::string alert = capture::agent::FormatAlertLine(
        options.station, "the station stopped because its journal or image store failed: " + st.message());
    std::printf("%s\n", alert.c_str());
    std::fflush(stdout);
    return 1;
  }
  return 0;
}
