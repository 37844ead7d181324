// A running coordinator's status reply (Frame{status_reply}) for people and for scripts. Pure.
#pragma once

#include <string>

#include "capture.pb.h"

namespace capture::ctl {

// The commit index, a table of streams (station, epoch, stored and announced seq, how many the
// coordinator still lacks) and a table of counters in the reply's order.
std::string StatusTable(const wire::StatusReply& reply);

// One JSON object and a newline:
//   {"commit_index":K,"stations":[{"station":1,"epoch":"<16 hex>","stored_seq":S,"announced_seq":A}],
//    "counters":[{"name":"events_received{station=\"1\"}","value":V}]}
std::string StatusJson(const wire::StatusReply& reply);

}  // namespace capture::ctl
