#include "coordinator/dashboard/server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <strings.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <variant>

#include "capture.pb.h"
#include "common/image_store.h"
#include "common/log.h"
#include "common/utf8.h"
#include "coordinator/control_client.h"
#include "coordinator/dashboard/assets.h"
#include "coordinator/dashboard/exif_thumbnail.h"
#include "coordinator/dashboard/http_api.h"
#include "coordinator/dashboard/session.h"
#include "coordinator/dashboard/token.h"
#include "coordinator/status_client.h"

namespace capture::dashboard {

namespace {

constexpr char kLog[] = "dashboard";
constexpr char kJson[] = "application/json; charset=utf-8";
constexpr char kPrometheus[] = "text/plain; version=0.0.4; charset=utf-8";
constexpr char kJpeg[] = "image/jpeg";
// A photo's URL names its bytes: they can be cached for good.
constexpr char kImmutable[] = "private, max-age=31536000, immutable";
constexpr std::string_view kPhotoPrefix = "/api/photo/";
constexpr int kMaxStreams = 16;
// Event streams hold a thread each for as long as they are open; the rest serve requests.
constexpr size_t kThreads = kMaxStreams + 8;
constexpr auto kKeepAliveComment = std::chrono::seconds(5);
constexpr size_t kMaxClassNameBytes = 256;
constexpr size_t kMaxPathInMessage = 200;
constexpr auto kRefusalLogInterval = std::chrono::seconds(1);
constexpr char kWhereTheTokenIs[] = "the file registrar.token in the coordinator's store folder";

// Paths with a handler, and the method it takes: another method gets 405, not 404.
const std::map<std::string, std::string>& KnownPaths() {
  static const std::map<std::string, std::string> paths = [] {
    std::map<std::string, std::string> p = {{"/api/status", "GET"}, {"/api/dashboard", "GET"}, {"/api/class", "GET"},
                                            {"/api/events", "GET"}, {"/api/resolve", "POST"},  {"/metrics", "GET"},
                                            {"/api/session", "POST"}};
    for (const Asset& a : EmbeddedAssets()) p.emplace(std::string(a.path), "GET");
    return p;
  }();
  return paths;
}

// The method a handler serves `path` with, or nullopt when no handler serves it.
std::optional<std::string> MethodOf(const std::string& path) {
  if (path.rfind(kPhotoPrefix, 0) == 0 && path.find('/', kPhotoPrefix.size()) == std::string::npos) return "GET";
  const auto known = KnownPaths().find(path);
  if (known == KnownPaths().end()) return std::nullopt;
  return known->second;
}

// What a request without the token gets on any host: the page (which asks for the token), signing
// in, and resolving (which checks for the token itself).
bool OpenToAll(const std::string& path) {
  if (path == "/api/session" || path == "/api/resolve") return true;
  for (const Asset& a : EmbeddedAssets()) {
    if (path == a.path) return true;
  }
  return false;
}

std::string EscapeRegex(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string Shortened(const std::string& text) {
  const std::string_view shown = FirstChars(text, kMaxPathInMessage);
  return shown.size() == text.size() ? text : std::string(shown) + "…";
}

// The message of an error status that no handler explained (httplib's own: bad request, too large).
std::string DefaultMessage(const httplib::Request& req, int status) {
  switch (status) {
    case 400:
      return "malformed HTTP request";
    case 404:
      return "no such resource: " + req.method + " " + Shortened(req.path);
    case 413:
      return "the request body is over " + std::to_string(kMaxBodyBytes / 1024) + " KiB";
    case 414:
      return "the request line is too long";
    case 416:
      return "the requested range cannot be served";
    default:
      return "HTTP status " + std::to_string(status);
  }
}

}  // namespace

class DashboardServer::Impl {
 public:
  explicit Impl(ServerOptions options)
      : options_(std::move(options)), reads_need_token_(!IsLoopbackHost(options_.host)) {
    if (!options_.image_store_dir.empty()) images_.emplace(options_.image_store_dir);
  }

  Status Bind();
  void Serve();
  void Stop();
  int port() const { return port_; }
  bool reads_need_token() const { return reads_need_token_; }

 private:
  void Routes();
  void Watch();
  void GetEvents(httplib::Response& res);
  void PostResolve(const httplib::Request& req, httplib::Response& res);
  void PostSession(const httplib::Request& req, httplib::Response& res);
  // Whether `req` carries the registrar token or a session, whatever the host.
  bool HasToken(const httplib::Request& req) const {
    return Authorizes(req.get_header_value("Authorization"), options_.token) ||
           sessions_.InCookieHeader(req.get_header_value("Cookie"));
  }
  void LogRefusedSignIn(const std::string& peer);
  void GetPhoto(const httplib::Request& req, httplib::Response& res);
  // A view from the loop, into `res`.
  void View(wire::DashboardRequest::View view, const std::string& class_name, const char* content_type,
            httplib::Response& res);
  int TimeoutMs() const { return static_cast<int>(options_.loop_timeout.count()); }
  static void Fail(httplib::Response& res, int status, std::string_view message) {
    res.status = status;
    res.set_content(ErrorJson(message), kJson);
  }
  void LoopDown(httplib::Response& res, const Status& why) {
    LogWarn(kLog, "the coordinator's loop did not answer: " + why.message());
    Fail(res, 503, "the coordinator's loop did not answer: " + why.message());
  }

  ServerOptions options_;
  const bool reads_need_token_;
  const Sessions sessions_;
  std::optional<ImageStore> images_;  // read by every HTTP thread: it only reads files that never change
  httplib::Server server_;
  std::thread listener_;
  std::thread watcher_;
  int port_ = 0;

  std::mutex mu_;
  std::condition_variable changed_;  // update_ changed, a stream opened, or stopping
  // Guarded by mu_:
  bool stopping_ = false;
  int streams_ = 0;
  uint64_t version_ = 0;  // bumped whenever update_ changes
  std::string update_;    // the latest UpdateJson, or an ErrorJson while the loop does not answer
  // Refused sign-ins not logged yet, and when one last was: at most one line a second, so a flood of
  // wrong tokens does not flood the log. They are not slowed down: 256 random bits are not guessed.
  uint64_t refusals_unlogged_ = 0;
  std::chrono::steady_clock::time_point refusal_logged_{};
};

Status DashboardServer::Impl::Bind() {
  server_.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  server_.set_payload_max_length(kMaxBodyBytes);
  server_.set_keep_alive_timeout(2);
  server_.set_read_timeout(5, 0);
  server_.set_write_timeout(5, 0);
  // Nothing of the page may come from elsewhere or run inline: a name holding markup stays text
  // even if a bug let it into the document.
  server_.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                               {"Cache-Control", "no-store"},
                               {"Referrer-Policy", "no-referrer"},
                               {"Content-Security-Policy",
                                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"}});
  Routes();
  if (options_.port == 0) {
    port_ = server_.bind_to_any_port(options_.host);
    if (port_ < 0) return Status::IoError("cannot bind the dashboard to " + options_.host + " (any port)");
  } else {
    if (!server_.bind_to_port(options_.host, options_.port)) {
      return Status::IoError("cannot bind the dashboard to " + options_.host + ":" + std::to_string(options_.port));
    }
    port_ = options_.port;
  }
  return Status::Ok();
}

void DashboardServer::Impl::Serve() {
  listener_ = std::thread([this] {
    if (!server_.listen_after_bind()) LogError(kLog, "the dashboard stopped serving on its own");
  });
  watcher_ = std::thread([this] { Watch(); });
  // Stop() only takes effect on a server that runs: wait for it (a few ms at most).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!server_.is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void DashboardServer::Impl::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  changed_.notify_all();
  server_.stop();
  if (listener_.joinable()) listener_.join();
  if (watcher_.joinable()) watcher_.join();
}

void DashboardServer::Impl::Routes() {
  for (const Asset& asset : EmbeddedAssets()) {
    server_.Get(EscapeRegex(asset.path), [&asset](const httplib::Request&, httplib::Response& res) {
      res.set_content(asset.body.data(), asset.body.size(), std::string(asset.content_type).c_str());
    });
  }
  server_.Get("/api/status", [this](const httplib::Request&, httplib::Response& res) {
    auto status = coord::QueryStatus(options_.control_endpoint, TimeoutMs());
    if (!status.ok()) return LoopDown(res, status.status());
    res.set_content(StatusJson(*status), kJson);
  });
  server_.Get("/api/dashboard", [this](const httplib::Request&, httplib::Response& res) {
    View(wire::DashboardRequest::SUMMARY, "", kJson, res);
  });
  server_.Get("/api/class", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.get_param_value("name");
    if (name.empty()) return Fail(res, 400, "say which class: /api/class?name=<class>");
    if (name.size() > kMaxClassNameBytes) return Fail(res, 400, "the class name is too long");
    View(wire::DashboardRequest::CLASS, name, kJson, res);
  });
  server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    View(wire::DashboardRequest::METRICS, "", kPrometheus, res);
  });
  server_.Get("/api/events", [this](const httplib::Request&, httplib::Response& res) { GetEvents(res); });
  server_.Post("/api/resolve", [this](const httplib::Request& req, httplib::Response& res) { PostResolve(req, res); });
  server_.Post("/api/session", [this](const httplib::Request& req, httplib::Response& res) { PostSession(req, res); });
  server_.Get(std::string(kPhotoPrefix) + "([^/]*)",
              [this](const httplib::Request& req, httplib::Response& res) { GetPhoto(req, res); });

  // cpp-httplib 0.11 caps only bodies sent with a Content-Length: a chunked body, or one read to
  // the end of the connection, would be taken whole. Such bodies are refused before they are read.
  // Reading is checked here, before any handler and for every path, so no endpoint can be added
  // that forgets it.
  server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    const bool takes_body = req.method != "GET" && req.method != "HEAD" && req.method != "OPTIONS";
    if (req.has_header("Transfer-Encoding") || (takes_body && !req.has_header("Content-Length"))) {
      Fail(res, 411,
           "send a body with a Content-Length (at most " + std::to_string(kMaxBodyBytes / 1024) + " KiB), not chunked");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (reads_need_token_ && !OpenToAll(req.path) && !HasToken(req)) {
      res.set_header("WWW-Authenticate", "Bearer realm=\"registrar\"");
      Fail(res, 401,
           "this dashboard is on a network address, so reading it needs the registrar token (" +
               std::string(kWhereTheTokenIs) +
               "): open the page and type it in once, or send the header \"Authorization: Bearer <token>\"");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  // Every error status leaves as JSON; the handlers' own messages stay.
  server_.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404 && res.body.empty()) {  // no handler took it: maybe one for another method
      const std::optional<std::string> method = MethodOf(req.path);
      if (method && *method != req.method) {
        res.status = 405;
        res.set_header("Allow", *method);
        res.set_content(ErrorJson(Shortened(req.path) + " takes " + *method + " only"), kJson);
        return;
      }
    }
    if (res.body.empty()) res.set_content(ErrorJson(DefaultMessage(req, res.status)), kJson);
  });
  server_.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
    LogError(kLog, "a request for " + Shortened(req.path) + " failed with an exception");
    Fail(res, 500, "internal error");
  });
}

void DashboardServer::Impl::View(wire::DashboardRequest::View view, const std::string& class_name,
                                 const char* content_type, httplib::Response& res) {
  wire::Frame frame;
  frame.mutable_dashboard_request()->set_view(view);
  frame.mutable_dashboard_request()->set_class_name(class_name);
  auto reply =
      coord::CallControl(options_.control_endpoint, std::move(frame), wire::Frame::kDashboardReply, TimeoutMs());
  if (!reply.ok()) return LoopDown(res, reply.status());
  wire::DashboardReply& r = *reply->mutable_dashboard_reply();
  if (!r.ok()) return Fail(res, r.not_found() ? 404 : 503, r.content());
  res.set_content(std::move(*r.mutable_content()), content_type);
}

void DashboardServer::Impl::PostResolve(const httplib::Request& req, httplib::Response& res) {
  if (!Authorizes(req.get_header_value("Authorization"), options_.token)) {
    if (!sessions_.InCookieHeader(req.get_header_value("Cookie"))) {
      res.set_header("WWW-Authenticate", "Bearer realm=\"registrar\"");
      return Fail(res, 401,
                  "resolving needs the registrar token (" + std::string(kWhereTheTokenIs) +
                      "): type it into the page's token field, or send the header \"Authorization: Bearer "
                      "<token>\"; nothing was changed");
    }
    // A cookie goes with whatever request the browser makes, also one another page asks it to make.
    const std::string origin = req.get_header_value("Origin");
    if (!FromSameOrigin(origin, req.get_header_value("Host"))) {
      LogWarn(kLog, "refused a resolve with a session cookie from " + req.remote_addr + " sent by the page " +
                        Shortened(origin) + ", not this dashboard's");
      return Fail(res, 403,
                  "a resolve with the session cookie must come from this dashboard's own page, not from " +
                      Shortened(origin) + "; nothing was changed");
    }
  }
  auto parsed = ParseResolveBody(req.body);
  if (auto* problem = std::get_if<std::string>(&parsed)) return Fail(res, 400, *problem + "; nothing was changed");
  const ResolveInput& in = std::get<ResolveInput>(parsed);
  auto reply = coord::RequestResolve(options_.control_endpoint, in.id, in.reason, in.by, options_.token, TimeoutMs());
  if (!reply.ok()) return LoopDown(res, reply.status());
  LogInfo(kLog, "resolve " + in.id + " by " + in.by + " from the dashboard: " + reply->message());
  res.status = reply->ok() ? 200 : 409;
  res.set_content(ResolveReplyJson(*reply), kJson);
}

void DashboardServer::Impl::PostSession(const httplib::Request& req, httplib::Response& res) {
  bool authorized = false;
  if (req.body.empty()) {
    authorized = Authorizes(req.get_header_value("Authorization"), options_.token);
  } else {
    auto parsed = ParseSessionBody(req.body);
    if (auto* problem = std::get_if<std::string>(&parsed)) return Fail(res, 400, *problem);
    authorized = SecretsEqual(std::get<SessionInput>(parsed).token, options_.token);
  }
  if (!authorized) {
    LogRefusedSignIn(req.remote_addr);
    res.set_header("WWW-Authenticate", "Bearer realm=\"registrar\"");
    return Fail(res, 401,
                "that is not the registrar token: it is " + std::string(kWhereTheTokenIs) +
                    "; send {\"token\":\"<token>\"} or the header \"Authorization: Bearer <token>\"");
  }
  res.set_header("Set-Cookie", SessionCookie(sessions_.Issue()));
  res.set_content(R"({"ok":true,"message":"signed in until this browser closes or the coordinator stops"})", kJson);
}

void DashboardServer::Impl::LogRefusedSignIn(const std::string& peer) {
  const auto now = std::chrono::steady_clock::now();
  uint64_t unlogged = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (now - refusal_logged_ < kRefusalLogInterval) {
      ++refusals_unlogged_;
      return;
    }
    refusal_logged_ = now;
    unlogged = std::exchange(refusals_unlogged_, 0);
  }
  const std::string more = unlogged > 0 ? " (and " + std::to_string(unlogged) + " more since the last line)" : "";
  LogWarn(kLog, "refused a dashboard sign-in from " + peer + ": not the registrar token" + more);
}

void DashboardServer::Impl::GetPhoto(const httplib::Request& req, httplib::Response& res) {
  const std::optional<Sha256> sha256 = Sha256FromHex(req.matches[1].str());
  if (!sha256) {
    return Fail(res, 400,
                "not an image hash: " + std::string(kPhotoPrefix) + " takes the SHA-256 of an image in 64 hex digits");
  }
  const bool thumb = req.has_param("size");
  if (thumb && req.get_param_value("size") != "thumb") return Fail(res, 400, "size is \"thumb\" or left out");
  if (!images_) return Fail(res, 404, "this dashboard has no image store: it serves no photo");
  auto bytes = images_->ReadChecked(*sha256);
  if (!bytes.ok()) {
    const Status& why = bytes.status();
    if (why.code() == Status::Code::kNotFound) {
      return Fail(res, 404, "image " + ToHex(*sha256) + " has not reached the coordinator (yet)");
    }
    LogError(kLog, "photo " + ToHex(*sha256) + " not served: " + why.message());
    return Fail(res, 500, "image " + ToHex(*sha256) + " is not served: " + why.message());
  }
  std::string body = std::move(*bytes);
  if (thumb) {
    if (std::optional<std::string> preview = ExifThumbnail(body)) body = std::move(*preview);
  }
  res.headers.erase("Cache-Control");  // the default is no-store
  res.set_header("Cache-Control", kImmutable);
  res.set_content(std::move(body), kJpeg);
}

void DashboardServer::Impl::GetEvents(httplib::Response& res) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (streams_ >= kMaxStreams) {
      return Fail(res, 503, "too many event streams are open (" + std::to_string(kMaxStreams) + ")");
    }
    ++streams_;
  }
  changed_.notify_all();  // the watcher starts asking the loop
  auto seen = std::make_shared<uint64_t>(0);
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, seen](size_t, httplib::DataSink& sink) {
        std::unique_lock<std::mutex> lock(mu_);
        const bool news = changed_.wait_for(lock, kKeepAliveComment, [&] { return stopping_ || version_ != *seen; });
        if (stopping_) return false;
        std::string chunk = ": keep-alive\n\n";
        if (news) {
          *seen = version_;
          chunk = "event: update\ndata: " + update_ + "\n\n";
        }
        lock.unlock();
        return sink.write(chunk.data(), chunk.size());
      },
      [this](bool) {
        std::lock_guard<std::mutex> lock(mu_);
        --streams_;
      });
}

void DashboardServer::Impl::Watch() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    changed_.wait(lock, [&] { return stopping_ || streams_ > 0; });
    if (stopping_) return;
    lock.unlock();  // never across the request
    auto status = coord::QueryStatus(options_.control_endpoint, TimeoutMs());
    std::string update = status.ok() ? UpdateJson(*status)
                                     : ErrorJson("the coordinator's loop did not answer: " + status.status().message());
    lock.lock();
    if (update != update_) {
      update_ = std::move(update);
      ++version_;
      changed_.notify_all();
    }
    changed_.wait_for(lock, options_.watch_interval, [&] { return stopping_; });
  }
}

DashboardServer::DashboardServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DashboardServer::~DashboardServer() { Stop(); }

void DashboardServer::Stop() { impl_->Stop(); }

Result<std::unique_ptr<DashboardServer>> DashboardServer::Start(ServerOptions options) {
  const std::string host = options.host;
  auto impl = std::make_unique<Impl>(std::move(options));
  if (Status s = impl->Bind(); !s.ok()) return s;
  impl->Serve();
  if (impl->reads_need_token()) {
    LogInfo(kLog, "the dashboard is on " + host + ", which is not loopback: reading it needs the registrar token");
  }
  const bool v6 = host.find(':') != std::string::npos;
  std::unique_ptr<DashboardServer> server(new DashboardServer(std::move(impl)));
  server->url_ = "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(server->impl_->port());
  return server;
}

bool IsLoopbackHost(const std::string& host) {
  if (::strcasecmp(host.c_str(), "localhost") == 0) return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
  }
  return false;
}

Result<std::pair<std::string, int>> ParseHttpAddress(const std::string& text) {
  const size_t colon = text.rfind(':');
  const Status bad = Status::InvalidArgument("--http " + text +
                                             ": expected ADDRESS:PORT (e.g. 127.0.0.1:5780, port 0 "
                                             "for any free one) or off");
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return bad;
  std::string host = text.substr(0, colon);
  const std::string port_text = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) return bad;
    host = host.substr(1, host.size() - 2);
  }
  if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos) return bad;
  const int port = std::stoi(port_text);
  if (port > 65535) return bad;
  return std::make_pair(host, port);
}

}  // namespace capture::dashboard
