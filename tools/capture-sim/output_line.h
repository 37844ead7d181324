// Parsing the one-line stdout messages of station-agent and coordinator (see the shared contract):
//   `ready station=1 epoch=00ab… last_seq=0`
//   `event station=1 seq=7 kind=CODE_READ registry_no=1042120211234567 masked_name=张*明`
//   `alert station=1 <a sentence for the operator>`
// Pure. Values with spaces are in double quotes (\" and \\ escape inside them).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace capture::sim {

struct OutputLine {
  std::string type;                           // the first word: "ready", "event", "alert"
  std::map<std::string, std::string> fields;  // the leading key=value words
  std::string text;                           // whatever follows them (an alert's sentence)

  // The field, or nullopt when it is missing.
  std::optional<std::string> Get(std::string_view key) const;
  // The field as an unsigned decimal number, or as hex with `hex`; nullopt when missing or bad.
  std::optional<uint64_t> GetNumber(std::string_view key, bool hex = false) const;
};

// Words after the first are key=value while they look like one (key of [a-z0-9_]); the first word
// that does not, and everything after it, is `text`.
OutputLine ParseOutputLine(std::string_view line);

}  // namespace capture::sim
