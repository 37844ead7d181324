// Real nats-server processes on 127.0.0.1 for tests: a JetStream cluster of N servers with explicit
// routes, unique server names and fresh store folders, each on ports the OS chose. The test starts,
// kills and restarts them; a restarted server keeps its ports and its store.
//
// Every wait has a deadline generous for 2 busy cores: a cluster elects its JetStream leaders in a
// few seconds there, sometimes more.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "coordinator/replication/nats_stream.h"
#include "tests/support/temp_dir.h"
#include "tools/capture-sim/process.h"

namespace capture::testing {

class NatsCluster {
 public:
  explicit NatsCluster(int servers);
  ~NatsCluster();

  // Starts every server and waits until JetStream answers through each.
  Status Start();
  Status Kill(int server);   // SIGKILL, reaped
  Status Restart(int server);
  Status KillAll();
  Status RestartAll();
  // "nats://127.0.0.1:P1,nats://127.0.0.1:P2,…", for --replicate.
  std::string urls() const;
  std::string url(int server) const;
  // Waits until JetStream answers through the running servers (its meta leader is elected).
  Status WaitForJetStream() const;

 private:
  struct Server {
    int client_port = 0;
    int cluster_port = 0;
    std::unique_ptr<sim::ChildProcess> process;
  };
  Status Spawn(int server);

  TempDir dir_;
  std::vector<Server> servers_;
};

// A test's client options for these servers.
replication::NatsOptions NatsClientOptions(std::vector<std::string> urls);

// Where nats-server is: /usr/sbin is not on every user's PATH.
std::string NatsServerProgram();

}  // namespace capture::testing
