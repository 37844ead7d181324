// The station agent's event loop: one thread, zmq::poll over the termination signals, the camera
// folder's inotify descriptor, the input (code reader and operator marks, read and stamped on a
// thread of its own: input_reader.h) and the DEALER socket.
//
// Transport (proto/capture.proto):
//   PUB    connects to --events:  every journaled event as Frame{event} (the journaled bytes), and
//                                 Frame{heartbeat} every --heartbeat-ms.
//   DEALER connects to --control with routing id "agent/<station>/<epoch hex>": Frame{hello} at
//          start and every second while the coordinator has been silent for 2 s; Frame{ack} raises
//          the journal's acked mark; Frame{resend} sends journaled events back as Frame{event},
//          without blocking, stopping at the first send that would block (the coordinator asks again);
//          Frame{verdict} (the judge's news for this station) is printed, one line per anomaly raised
//          (once per process: the coordinator sends the station's open anomalies again after each
//          hello, so a restarted agent shows them) and per resolution, values quoted as in lines.h:
//            anomaly station=N id=A3 severity=BLOCKER kind=SHOT_WITHOUT_CODE shots=IMG_0413.JPG
//                    registry_nos=1042…,1042… message="…"
//            resolved station=N id=A3 by=judge reason="…"
// Nothing here waits for the coordinator: without one, the station journals and prints as usual.
//
// stdout (flushed per line) carries the ready/event/alert lines of lines.h and the verdict lines
// above; logs go to stderr. With the console on (AgentOptions::console; by default when stdout is a
// terminal) stdout carries none of those lines: the operator's console (console_terminal.h) shows
// the same news, and the station's progress that the coordinator sends (Frame{station_progress}),
// redrawn in place, and edits what is typed on the terminal when that is the input.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/identity.h"
#include "common/language.h"
#include "common/status.h"

namespace capture::agent {

struct AgentOptions {
  uint32_t station = 0;
  std::string camera_dir;
  bool create_camera_dir = false;  // else a camera_dir that does not exist is refused
  std::string input_path;  // empty: stdin
  std::string journal_dir;
  std::string site_key_path;
  std::string identity_path;         // the station's Ed25519 key; empty: <journal>/station.key
  std::string coordinator_key_path;  // the pinned coordinator public key (or 64 hex digits)
  bool insecure = false;             // plain text on every socket
  // Test hook (SendFaults, common/transport.h): this share of the frames published live (events,
  // heartbeats) is dropped at the sender, as a lossy network would; resends are never dropped.
  double test_drop_share = 0;
  uint64_t test_drop_seed = 1;
  // Test hook: SIGUSR1 holds the event loop still for this long, as a long fsync on a slow disk
  // would, while the input reader goes on stamping lines. 0: SIGUSR1 is left alone.
  int test_hold_ms = 0;
  std::string events_endpoint;
  std::string control_endpoint;
  std::string shot_pattern;
  bool sim_time = false;
  int heartbeat_ms = 250;
  std::string operator_name;
  enum class Console { kAuto, kOn, kOff };
  Console console = Console::kAuto;  // kAuto: on when stdout is a terminal
  Language language = Language::kZh;  // the console's; the stdout lines stay English
};

// The station's identity: the key file at options.identity_path (or <journal>/station.key), made
// (mode 0600) when missing.
Result<Identity> LoadStationIdentity(const AgentOptions& options);

class Agent {
 public:
  // Blocks SIGTERM/SIGINT (they are read from a signalfd by Run; call this before any other
  // thread is started), opens the journal, the camera watch and the sockets, takes in the images
  // already in the camera folder, and prints the ready line.
  static Result<std::unique_ptr<Agent>> Start(const AgentOptions& options);
  ~Agent();

  // Runs until SIGTERM or SIGINT (then OK). An error is fatal: the journal or image store failed,
  // or the coordinator's first answer refused the station (refused(); it was alerted already).
  Status Run();
  bool refused() const;

 private:
  class Impl;
  explicit Agent(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace capture::agent
