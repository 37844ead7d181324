#include "coordinator/dashboard/http_api.h"

#include <cinttypes>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace capture::dashboard {

namespace {

using Json = nlohmann::ordered_json;

bool IsAnomalyId(std::string_view id) {
  if (id.size() < 2 || id.size() > 12 || id[0] != 'A') return false;
  for (char c : id.substr(1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

uint64_t CounterValue(const wire::StatusReply& status, std::string_view name) {
  for (const wire::Counter& c : status.counters()) {
    if (c.name() == name) return c.value();
  }
  return 0;
}

}  // namespace

std::variant<ResolveInput, std::string> ParseResolveBody(std::string_view body) {
  Json j = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return std::string("the body is not JSON (or not UTF-8): send {\"id\":\"A12\",\"reason\":\"…\"}");
  if (!j.is_object()) return std::string("the body must be a JSON object: {\"id\":\"A12\",\"reason\":\"…\"}");
  for (const auto& [key, value] : j.items()) {
    if (key != "id" && key != "reason" && key != "by") return "unknown field \"" + key + "\": only id, reason and by";
  }
  ResolveInput in;
  const auto id = j.find("id");
  if (id == j.end() || !id->is_string()) return std::string("\"id\" is missing or not a string");
  in.id = id->get<std::string>();
  if (!IsAnomalyId(in.id)) return std::string("\"id\" is not an anomaly id like \"A12\"");
  const auto reason = j.find("reason");
  if (reason == j.end() || !reason->is_string()) return std::string("\"reason\" is missing or not a string");
  in.reason = reason->get<std::string>();
  if (in.reason.find_first_not_of(" \t\r\n") == std::string::npos) return std::string("\"reason\" is empty");
  if (in.reason.size() > kMaxReasonBytes) {
    return "\"reason\" is longer than " + std::to_string(kMaxReasonBytes) + " bytes";
  }
  in.by = kDefaultResolver;
  if (const auto by = j.find("by"); by != j.end() && !by->is_null()) {
    if (!by->is_string()) return std::string("\"by\" is not a string");
    if (by->get_ref<const std::string&>().size() > kMaxByBytes) {
      return "\"by\" is longer than " + std::to_string(kMaxByBytes) + " bytes";
    }
    if (!by->get_ref<const std::string&>().empty()) in.by = by->get<std::string>();
  }
  return in;
}

std::variant<SessionInput, std::string> ParseSessionBody(std::string_view body) {
  Json j = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::string("the body is not JSON (or not UTF-8): send {\"token\":\"…\"}");
  if (!j.is_object()) return std::string("the body must be a JSON object: {\"token\":\"…\"}");
  for (const auto& [key, value] : j.items()) {
    if (key != "token") return "unknown field \"" + key + "\": only token";
  }
  const auto token = j.find("token");
  if (token == j.end() || !token->is_string()) return std::string("\"token\" is missing or not a string");
  return SessionInput{token->get<std::string>()};
}

bool FromSameOrigin(std::string_view origin, std::string_view host) {
  constexpr std::string_view kScheme = "http://";  // the dashboard serves no HTTPS
  if (origin.empty()) return true;
  return !host.empty() && origin == std::string(kScheme) + std::string(host);
}

std::string ResolveReplyJson(const wire::ResolveReply& reply) {
  return Json{
      {"ok", reply.ok()}, {reply.ok() ? "message" : "error", reply.message()}, {"commit_index", reply.commit_index()}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string ErrorJson(std::string_view message) {
  return Json{{"error", message}}.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string StatusJson(const wire::StatusReply& status) {
  Json stations = Json::array();
  for (const wire::StationStatus& s : status.stations()) {
    char epoch[17];
    std::snprintf(epoch, sizeof epoch, "%016" PRIx64, s.epoch());
    stations.push_back({{"station", s.station()},
                        {"epoch", epoch},
                        {"stored_seq", s.stored_seq()},
                        {"announced_seq", s.announced_seq()}});
  }
  Json counters = Json::array();
  for (const wire::Counter& c : status.counters()) counters.push_back({{"name", c.name()}, {"value", c.value()}});
  return Json{
      {"commit_index", status.commit_index()}, {"stations", std::move(stations)}, {"counters", std::move(counters)}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string UpdateJson(const wire::StatusReply& status) {
  return Json{{"commit_index", status.commit_index()},
              {"anomalies_open", CounterValue(status, "anomalies_open")},
              {"anomalies_raised", CounterValue(status, "anomalies_raised")}}
      .dump();
}

}  // namespace capture::dashboard
