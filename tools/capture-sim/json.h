// JSON for the simulator's files and the judge's anomaly export: a small value tree parsed by
// nlohmann-json, and quoting for writers. Pure. Numbers are kept as text (as nlohmann prints them);
// strings are UTF-8 with every RFC 8259 escape decoded.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace capture::sim {

struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  std::string text;  // kString: the decoded string; kNumber: the number printed
  std::vector<JsonValue> items;                              // kArray
  std::vector<std::pair<std::string, JsonValue>> members;    // kObject, in document order

  // The member named `key` of an object, or nullptr.
  const JsonValue* Get(std::string_view key) const;
  // Conveniences for a member that may be missing or of another type.
  std::string String(std::string_view key) const;   // "" unless a string
  long long Integer(std::string_view key) const;    // 0 unless an integer number
  bool Bool(std::string_view key) const;            // false unless true
  std::vector<std::string> Strings(std::string_view key) const;  // the string items of an array
};

// One JSON document (surrounding whitespace allowed). The error names `source` and what is wrong.
Result<JsonValue> ParseJson(std::string_view text, std::string_view source);

// Calls `fn` with each non-blank line of JSON Lines `text`, parsed, and `where` ("SOURCE line N");
// stops at the first error, from the parser or from `fn`.
Status ForEachJsonLine(std::string_view text, std::string_view source,
                       const std::function<Status(const JsonValue& value, const std::string& where)>& fn);

// `s` as a JSON string literal, quotes included.
std::string JsonQuote(std::string_view s);
// ["a","b"]
std::string JsonStringArray(const std::vector<std::string>& values);

}  // namespace capture::sim
