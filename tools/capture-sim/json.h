// Just enough JSON for the simulator's files and the judge's anomaly export: a value tree parsed
// from text, and quoting for writers. Pure. Numbers keep their text; strings are UTF-8 with every
// escape of RFC 8259 (\uXXXX, surrogate pairs included) decoded.
#pragma once

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
  std::string text;  // kString: the decoded string; kNumber: the number as written
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

// One JSON document (surrounding whitespace allowed). The error names `source` and the offset.
Result<JsonValue> ParseJson(std::string_view text, std::string_view source);

// `s` as a JSON string literal, quotes included.
std::string JsonQuote(std::string_view s);
// ["a","b"]
std::string JsonStringArray(const std::vector<std::string>& values);

}  // namespace capture::sim
