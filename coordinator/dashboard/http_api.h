// The pure parts of the dashboard's HTTP API: request bodies checked, replies formatted. No
// sockets: server.h routes requests here and to the coordinator's loop.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "capture.pb.h"

namespace capture::dashboard {

// Largest request body accepted (413 beyond): a resolve is a few hundred bytes.
inline constexpr size_t kMaxBodyBytes = 64 * 1024;
inline constexpr size_t kMaxReasonBytes = 1000;
inline constexpr size_t kMaxByBytes = 100;
inline constexpr const char* kDefaultResolver = "registrar";

// POST /api/resolve {"id":"A12","reason":"retaken at once","by":"王老师"}; `by` may be left out.
struct ResolveInput {
  std::string id;
  std::string reason;
  std::string by;
};

// The body checked: a JSON object with `id` (an anomaly id: "A" and digits), a non-empty `reason`
// (at most kMaxReasonBytes) and an optional `by` (at most kMaxByBytes; kDefaultResolver when left
// out); no other fields. Otherwise one sentence naming the problem (for a 400).
std::variant<ResolveInput, std::string> ParseResolveBody(std::string_view body);

// POST /api/resolve's answer: {"ok":true,"message":"…","commit_index":K} when the anomaly was open
// and is resolved now, else {"ok":false,"error":"…","commit_index":K}.
std::string ResolveReplyJson(const wire::ResolveReply& reply);

// POST /api/session {"token":"<registrar token>"}.
struct SessionInput {
  std::string token;  // as sent: the caller compares it with the registrar token
};

// The body checked: a JSON object with a string `token` and no other field. Otherwise one sentence
// naming the problem (for a 400).
std::variant<SessionInput, std::string> ParseSessionBody(std::string_view body);

// Whether a request comes from the page this server serves, by its Origin header (empty: the
// request sent none) and its Host header: an Origin, when sent, must be "http://" + Host exactly.
// Browsers send Origin with every POST from a script, so another page, on another port of the same
// host too (a "same-site" one, which SameSite=Strict lets through), is told apart; a request
// without Origin comes from no browser page, and carries a cookie only if its sender has one.
bool FromSameOrigin(std::string_view origin, std::string_view host);

// {"error":"<message>"}
std::string ErrorJson(std::string_view message);

// GET /api/status: capturectl status --json's shape:
// {"commit_index":K,"stations":[{"station":1,"epoch":"<16 hex>","stored_seq":S,"announced_seq":A}],
//  "counters":[{"name":"…","value":V}]}
std::string StatusJson(const wire::StatusReply& status);

// The data of a server-sent event "update": what changes when the record does.
// {"commit_index":K,"anomalies_open":N,"anomalies_raised":R}
std::string UpdateJson(const wire::StatusReply& status);

}  // namespace capture::dashboard
