// The registrar's dashboard: an HTTP server (cpp-httplib) inside the coordinator process, on its
// own threads. It never touches the judge or the loop's state: it asks the loop over the
// coordinator's control socket, like capturectl (StatusRequest, ResolveRequest, DashboardRequest),
// from a fresh DEALER per request (coordinator/control_client.h), so every socket stays on the one
// thread that made it.
//
// Who may read: on a loopback host (IsLoopbackHost) anyone who reaches the port, that is someone on
// this machine. On any other host the class views show students' names to the room's network, so
// every request but the page's own files, POST /api/session and POST /api/resolve (which checks for
// itself) needs the registrar token, as `Authorization: Bearer <token>` (a Prometheus scraper, curl)
// or as the session cookie the page gets for it (session.h); 401 naming where the token is otherwise.
//
// Endpoints (every error is JSON {"error":"…"} with a 4xx/5xx status):
//   GET  /, /app.js, /style.css  the page, embedded in the binary (no file is ever read)
//   POST /api/session            {"token":"<registrar token>"}, or an empty body with
//                                `Authorization: Bearer <token>`: 200 {"ok":true,"message"} with
//                                "Set-Cookie: capture_session=…; HttpOnly; SameSite=Strict; Path=/";
//                                401 and no cookie for any other token (logged with the peer's
//                                address); 400 for another body. On a loopback host too (harmless).
//   GET  /api/status             the loop's StatusReply as JSON (http_api.h StatusJson)
//   GET  /api/dashboard          the summary view (views.h)
//   GET  /api/class?name=C       one class with every student (views.h); 404 for an unknown class
//   GET  /api/events             server-sent events: "update" with http_api.h UpdateJson whenever
//                                the commit index or the anomaly counts change (checked every 250 ms
//                                while anyone listens), a comment every 5 s to keep it open
//   POST /api/resolve            {"id","reason","by"} with `Authorization: Bearer <registrar token>`
//                                or the session cookie: 200 {"ok":true,"message","commit_index"}; 409
//                                {"ok":false,"error","commit_index"} when the anomaly was not open
//                                (the request is still recorded, as for capturectl resolve); 401
//                                without either, 403 with the cookie from another origin (an Origin
//                                header that is not http://<Host>, http_api.h FromSameOrigin): against
//                                another page making the registrar's browser resolve. Nothing is sent
//                                to the loop then.
//   GET  /metrics                Prometheus text format 0.0.4 (metrics.h)
//   GET  /api/photo/<sha256>     the image with that SHA-256 (64 hex digits, either case) from the
//                                coordinator's image store (common/image_store.h), as image/jpeg with
//                                "Cache-Control: private, max-age=31536000, immutable": its bytes are
//                                hashed again on every request and served only when they still hash
//                                to its name (500 naming the file otherwise); 404 while the image has
//                                not reached the coordinator (or without an image store); 400 when the
//                                last path segment is not 64 hex digits (more segments: 404, as any
//                                unknown path). Served by the HTTP threads alone, never through the
//                                loop: files under their hash name never change.
//   GET  /api/photo/<sha256>?size=thumb   the preview the camera embedded in it (exif_thumbnail.h),
//                                or the image itself when it has none; the image is checked as above
// Limits: bodies over 64 KiB get 413, bodies without a Content-Length (chunked) 411, unknown paths
// 404 (401 first where reading needs the token), a known path with the wrong method 405,
// a loop that does not answer within 3 s 503; at most 16 event streams at once (503 beyond).
//
// Thread safety: Start and Stop from one thread; the server's own threads do the rest.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"
#include "coordinator/control_client.h"

namespace capture::dashboard {

struct ServerOptions {
  std::string host = "127.0.0.1";  // not a loopback address (IsLoopbackHost): reading needs the token
  int port = 5780;               // 0: any free port
  coord::ControlEndpoint control_endpoint;  // the coordinator's ROUTER, reached as the registrar
  std::string token;             // the registrar token (token.h)
  std::string image_store_dir{}; // the ImageStore's folder (the coordinator's --store); empty: none
  std::chrono::milliseconds loop_timeout{3000};
  std::chrono::milliseconds watch_interval{250};
};

class DashboardServer {
 public:
  // Binds the address and starts serving. IoError naming the address when it cannot be bound.
  static Result<std::unique_ptr<DashboardServer>> Start(ServerOptions options);
  ~DashboardServer();  // Stop()
  DashboardServer(const DashboardServer&) = delete;
  DashboardServer& operator=(const DashboardServer&) = delete;

  // "http://127.0.0.1:41234", the port resolved.
  const std::string& url() const { return url_; }
  // Ends every event stream, stops accepting and joins the server's threads. A request waiting on
  // the loop ends within loop_timeout. Idempotent.
  void Stop();

 private:
  class Impl;
  explicit DashboardServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string url_;
};

// Whether a host to bind to is reachable from this machine only: "localhost" and the addresses
// 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. Anything else, a wildcard (0.0.0.0, ::) or a name
// included (a machine's own name may resolve to 127.0.1.1 or to its network address), is not.
bool IsLoopbackHost(const std::string& host);

// "127.0.0.1:5780" or "[::1]:0" into host and port; InvalidArgument naming the text otherwise.
// "off" is not an address: the caller handles it.
Result<std::pair<std::string, int>> ParseHttpAddress(const std::string& text);

}  // namespace capture::dashboard
