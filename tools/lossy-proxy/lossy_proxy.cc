// lossy-proxy: a fault injector for the live event stream. It sits between the agents' PUB
// sockets and the coordinator's SUB socket and drops a seeded share of the frames it forwards,
// so tests (and anyone doubting the resend path) can watch every gap being repaired.
#include <csignal>
#include <cstdio>
#include <random>
#include <string>

#include <CLI/CLI.hpp>

#include "common/log.h"
#include "common/transport.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;

void OnSignal(int) { g_stop = 1; }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Forwards published frames from agents to a coordinator, dropping a share of them."};
  std::string listen = "tcp://127.0.0.1:*";
  std::string forward;
  double drop_share = 0.2;
  unsigned seed = 1;
  app.add_option("--listen", listen, "Endpoint to bind a SUB socket on; agents connect their --events here")
      ->capture_default_str();
  app.add_option("--forward", forward, "The coordinator's --events endpoint to connect a PUB socket to")->required();
  app.add_option("--drop-share", drop_share, "Share of frames to drop, 0..1")->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--seed", seed, "Seed of the drop decisions")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  zmq::context_t ctx;
  auto in = capture::OpenSocket(ctx, zmq::socket_type::sub);
  auto out = capture::OpenSocket(ctx, zmq::socket_type::pub);
  if (!in.ok() || !out.ok()) {
    capture::LogError("lossy-proxy", in.ok() ? out.status().message() : in.status().message());
    return 2;
  }
  in->set(zmq::sockopt::subscribe, "");
  for (const capture::Status& st : {capture::Bind(*in, listen), capture::Connect(*out, forward)}) {
    if (!st.ok()) {
      capture::LogError("lossy-proxy", st.message());
      return 2;
    }
  }
  std::printf("ready listen=%s forward=%s\n", in->get(zmq::sockopt::last_endpoint).c_str(), forward.c_str());
  std::fflush(stdout);

  std::mt19937_64 rng(seed);
  std::bernoulli_distribution drop(drop_share);
  uint64_t forwarded = 0, dropped = 0;
  zmq::pollitem_t items[] = {{in->handle(), 0, ZMQ_POLLIN, 0}};
  while (!g_stop) {
    try {
      zmq::poll(items, 1, std::chrono::milliseconds(100));
    } catch (const zmq::error_t&) {
      continue;  // EINTR from a signal: the loop condition decides
    }
    while (auto msg = capture::TryRecv(*in, /*routed=*/false)) {
      if (drop(rng)) {
        ++dropped;
      } else if (capture::TrySend(*out, msg->bytes)) {
        ++forwarded;
      }
    }
  }
  capture::LogInfo("lossy-proxy", "forwarded " + std::to_string(forwarded) + " frames, dropped " +
                                      std::to_string(dropped));
  return 0;
}
