#include "tools/capture-sim/output_line.h"

#include <charconv>

namespace capture::sim {

namespace {

bool IsKeyChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

void SkipSpaces(std::string_view s, size_t& pos) {
  while (pos < s.size() && s[pos] == ' ') ++pos;
}

// Reads a value at `pos` (quoted or up to the next space); false on an unterminated quote.
bool ReadValue(std::string_view s, size_t& pos, std::string& out) {
  if (pos < s.size() && s[pos] == '"') {
    for (++pos; pos < s.size(); ++pos) {
      if (s[pos] == '"') {
        ++pos;
        return true;
      }
      if (s[pos] == '\\' && pos + 1 < s.size()) ++pos;
      out.push_back(s[pos]);
    }
    return false;
  }
  while (pos < s.size() && s[pos] != ' ') out.push_back(s[pos++]);
  return true;
}

}  // namespace

std::optional<std::string> OutputLine::Get(std::string_view key) const {
  auto it = fields.find(std::string(key));
  if (it == fields.end()) return std::nullopt;
  return it->second;
}

std::optional<uint64_t> OutputLine::GetNumber(std::string_view key, bool hex) const {
  auto value = Get(key);
  if (!value || value->empty()) return std::nullopt;
  uint64_t n = 0;
  const char* end = value->data() + value->size();
  auto [ptr, ec] = std::from_chars(value->data(), end, n, hex ? 16 : 10);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return n;
}

OutputLine ParseOutputLine(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  OutputLine out;
  size_t pos = 0;
  SkipSpaces(line, pos);
  while (pos < line.size() && line[pos] != ' ') out.type.push_back(line[pos++]);
  for (;;) {
    SkipSpaces(line, pos);
    if (pos >= line.size()) break;
    size_t key_end = pos;
    while (key_end < line.size() && IsKeyChar(line[key_end])) ++key_end;
    if (key_end == pos || key_end >= line.size() || line[key_end] != '=') break;
    size_t value_pos = key_end + 1;
    std::string value;
    if (!ReadValue(line, value_pos, value)) break;
    out.fields[std::string(line.substr(pos, key_end - pos))] = std::move(value);
    pos = value_pos;
  }
  out.text = std::string(line.substr(pos));
  return out;
}

}  // namespace capture::sim
