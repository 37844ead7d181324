// Pieces of the one-sentence messages anomalies carry to the operator. Messages go back to the
// station, so they name students only by masked name and the last digits of the registry number,
// never by roster data (names, student numbers).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace capture::judge::msg {

// "张*明 (…0123)"; "a student (…0123)" when no masked name is known.
std::string Student(std::string_view masked_name, std::string_view registry_no);
// A shot number as the camera writes it: "0412".
std::string ShotNumber(uint32_t number);
// A duration, rounded down: "95 s", "12 min".
std::string Duration(int64_t us);
// A signed offset in seconds: "+95 s", "-3 s".
std::string Offset(int64_t us);
// "14:05": a station instant as local time of day, given the day's local midnight.
std::string TimeOfDay(int64_t instant_us, int64_t local_midnight_us);
// "09:30": minutes after local midnight.
std::string Minute(int minute_of_day);

}  // namespace capture::judge::msg
