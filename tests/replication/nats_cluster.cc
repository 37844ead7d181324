#include "tests/replication/nats_cluster.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <zmq.hpp>

#include "common/transport.h"
#include "coordinator/replication/nats_stream.h"

namespace capture::testing {
namespace {

using namespace std::chrono_literals;
constexpr auto kJetStreamTimeout = 60s;

// A port the OS hands out and takes back at once: a later bind can only collide with a program that
// asks for that exact port, which no test does.
int FreePort() {
  zmq::context_t context;
  auto probe = OpenSocket(context, zmq::socket_type::pull);
  if (!probe.ok() || !Bind(*probe, "tcp://127.0.0.1:*").ok()) return 0;
  const std::string endpoint = probe->get(zmq::sockopt::last_endpoint);
  return std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
}

}  // namespace

replication::NatsOptions NatsClientOptions(std::vector<std::string> urls) {
  replication::NatsOptions options;
  options.urls = std::move(urls);
  options.client_name = "test";
  return options;
}

std::string NatsServerProgram() {
  for (const char* path : {"/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"}) {
    if (::access(path, X_OK) == 0) return path;
  }
  return "nats-server";
}

NatsCluster::NatsCluster(int servers) : servers_(static_cast<size_t>(servers)) {
  for (Server& server : servers_) {
    server.client_port = FreePort();
    server.cluster_port = FreePort();
  }
}

NatsCluster::~NatsCluster() = default;  // each ChildProcess kills and reaps its server

std::string NatsCluster::url(int server) const {
  return "nats://127.0.0.1:" + std::to_string(servers_.at(static_cast<size_t>(server)).client_port);
}

std::string NatsCluster::urls() const {
  std::string out;
  for (size_t i = 0; i < servers_.size(); ++i) out += (i == 0 ? "" : ",") + url(static_cast<int>(i));
  return out;
}

Status NatsCluster::Spawn(int index) {
  Server& server = servers_.at(static_cast<size_t>(index));
  const std::string name = "n" + std::to_string(index + 1);
  const std::string store = dir_ / name;
  std::filesystem::create_directories(store);
  std::vector<std::string> argv = {NatsServerProgram(), "-a", "127.0.0.1", "-p", std::to_string(server.client_port),
                                   "-n", name, "-js", "-sd", store};
  if (servers_.size() > 1) {
    std::string routes;
    for (size_t i = 0; i < servers_.size(); ++i) {
      if (static_cast<int>(i) == index) continue;
      routes += (routes.empty() ? "" : ",") + std::string("nats://127.0.0.1:") + std::to_string(servers_[i].cluster_port);
    }
    argv.insert(argv.end(), {"--cluster_name", "capture-test", "--cluster",
                             "nats://127.0.0.1:" + std::to_string(server.cluster_port), "--routes", routes});
  }
  auto child = sim::ChildProcess::Spawn(argv, dir_ / (name + ".log"));
  if (!child.ok()) return child.status();
  server.process = std::move(*child);
  return Status::Ok();
}

Status NatsCluster::Start() {
  for (size_t i = 0; i < servers_.size(); ++i) {
    if (Status s = Spawn(static_cast<int>(i)); !s.ok()) return s;
  }
  return WaitForJetStream();
}

Status NatsCluster::Kill(int index) {
  Server& server = servers_.at(static_cast<size_t>(index));
  if (!server.process) return Status::InvalidArgument("nats server " + std::to_string(index + 1) + " is not running");
  Status s = server.process->Signal(SIGKILL);
  auto exit = server.process->Wait(10s);
  server.process.reset();
  return exit.ok() ? s : exit.status();
}

Status NatsCluster::Restart(int index) {
  if (Status s = Spawn(index); !s.ok()) return s;
  return WaitForJetStream();
}

Status NatsCluster::KillAll() {
  for (size_t i = 0; i < servers_.size(); ++i) {
    if (servers_[i].process) {
      if (Status s = Kill(static_cast<int>(i)); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

Status NatsCluster::RestartAll() {
  for (size_t i = 0; i < servers_.size(); ++i) {
    if (!servers_[i].process) {
      if (Status s = Spawn(static_cast<int>(i)); !s.ok()) return s;
    }
  }
  return WaitForJetStream();
}

Status NatsCluster::WaitForJetStream() const {
  const auto deadline = std::chrono::steady_clock::now() + kJetStreamTimeout;
  for (size_t i = 0; i < servers_.size(); ++i) {
    if (!servers_[i].process) continue;
    Status last = Status::Unavailable("not tried");
    while (std::chrono::steady_clock::now() < deadline) {
      auto stream = replication::NatsStream::Connect(NatsClientOptions({url(static_cast<int>(i))}), 2s);
      last = stream.ok() ? (*stream)->JetStreamReady() : stream.status();
      if (last.ok()) break;
      std::this_thread::sleep_for(200ms);
    }
    if (!last.ok()) return Status::Unavailable("JetStream did not answer through " + url(static_cast<int>(i)) +
                                               " within 60 s: " + last.message());
  }
  return Status::Ok();
}

}  // namespace capture::testing
