#include "station-agent/input.h"

#include <vector>

namespace capture::agent {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Splits off the first whitespace-separated word; `rest` keeps the remainder, trimmed.
std::string_view NextWord(std::string_view& rest) {
  rest = Trim(rest);
  size_t end = 0;
  while (end < rest.size() && !IsSpace(rest[end])) ++end;
  const std::string_view word = rest.substr(0, end);
  rest = Trim(rest.substr(end));
  return word;
}

// The UTC offset as written in an ISO 8601 time: the local reading minus the instant.
Result<int> UtcOffsetMinutes(std::string_view text, MicrosSinceEpoch instant) {
  // ParseIso8601 has already accepted `text`, so the date and time occupy its first 19 characters
  // and the zone is 'Z' or the last '+'/'-' after them.
  const size_t zone = text.find_first_of("Zz+-", 19);
  if (zone == std::string_view::npos) return Status::InvalidArgument("time has no UTC offset");
  auto local = ParseIso8601(std::string(text.substr(0, zone)) + "Z");
  if (!local.ok()) return local.status();
  return static_cast<int>((*local - instant) / 60'000'000);
}

}  // namespace

Result<InputLine> ParseInputLine(std::string_view raw, uint64_t line_number) {
  const std::string_view line = Trim(raw);
  if (line.empty()) return InputLine{EmptyLine{}};
  if (line.front() != '!') return InputLine{CodeLine{std::string(line)}};

  std::string_view rest = line.substr(1);
  const std::string_view name = NextWord(rest);
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("input line " + std::to_string(line_number) + " '" + std::string(line) +
                                   "': " + std::string(why) + "; valid marks are " + std::string(kMarkForms));
  };
  std::vector<std::string_view> args;
  for (std::string_view scan = rest; !scan.empty();) args.push_back(NextWord(scan));

  if (name == "retake") {
    if (args.size() > 1) return bad("!retake takes at most one registry number");
    return InputLine{RetakeMark{args.empty() ? std::nullopt : std::optional<std::string>(args[0])}};
  }
  if (name == "void") {
    if (args.size() > 1) return bad("!void takes at most one shot (file name or number)");
    return InputLine{VoidMark{args.empty() ? std::nullopt : std::optional<std::string>(args[0])}};
  }
  if (name == "absent") {
    if (args.size() != 1) return bad("!absent needs exactly one student number");
    return InputLine{AbsentMark{std::string(args[0])}};
  }
  if (name == "resolve") {
    const std::string_view id = NextWord(rest);
    if (id.empty() || rest.empty()) return bad("!resolve needs an anomaly id and a reason");
    return InputLine{ResolveMark{std::string(id), std::string(rest)}};
  }
  if (name == "time") {
    if (args.size() != 1) return bad("!time needs exactly one ISO 8601 time with a UTC offset");
    auto instant = ParseIso8601(args[0]);
    if (!instant.ok()) return bad(instant.status().message());
    auto offset = UtcOffsetMinutes(args[0], *instant);
    if (!offset.ok()) return bad(offset.status().message());
    return InputLine{TimeMark{*instant, *offset}};
  }
  return bad(name.empty() ? std::string_view("a mark needs a name after '!'") : std::string_view("unknown mark"));
}

}  // namespace capture::agent
