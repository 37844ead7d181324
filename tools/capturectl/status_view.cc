#include "tools/capturectl/status_view.h"

#include <nlohmann/json.hpp>

#include "coordinator/stream_id.h"
#include "tools/capturectl/text_table.h"

namespace capture::ctl {

std::string StatusTable(const wire::StatusReply& reply) {
  TextTable streams({"STATION", "EPOCH", "STORED_SEQ", "ANNOUNCED_SEQ", "LACKING"});
  for (const wire::StationStatus& s : reply.stations()) {
    const uint64_t lacking = s.announced_seq() > s.stored_seq() ? s.announced_seq() - s.stored_seq() : 0;
    streams.AddRow({std::to_string(s.station()), coord::EpochHex(s.epoch()), std::to_string(s.stored_seq()),
                    std::to_string(s.announced_seq()), std::to_string(lacking)});
  }
  TextTable counters({"COUNTER", "VALUE"});
  for (const wire::Counter& c : reply.counters()) counters.AddRow({c.name(), std::to_string(c.value())});
  return "commit_index " + std::to_string(reply.commit_index()) + "\n\n" + streams.Render() + "\n" +
         counters.Render();
}

std::string StatusJson(const wire::StatusReply& reply) {
  nlohmann::ordered_json j;
  j["commit_index"] = reply.commit_index();
  j["stations"] = nlohmann::ordered_json::array();
  for (const wire::StationStatus& s : reply.stations()) {
    j["stations"].push_back({{"station", s.station()},
                             {"epoch", coord::EpochHex(s.epoch())},
                             {"stored_seq", s.stored_seq()},
                             {"announced_seq", s.announced_seq()}});
  }
  j["counters"] = nlohmann::ordered_json::array();
  for (const wire::Counter& c : reply.counters()) j["counters"].push_back({{"name", c.name()}, {"value", c.value()}});
  // Invalid UTF-8 in a counter name becomes U+FFFD rather than an exception.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace capture::ctl
