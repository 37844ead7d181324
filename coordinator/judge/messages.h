// The one-sentence messages anomalies carry to the operator, in English and in Chinese, each pair
// made by one function from the same facts so that the two languages never say different things.
// Messages go back to the station, so they name students only by masked name and the last digits
// of the registry number, never by roster data (names, student numbers).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/language.h"

namespace capture::judge::msg {

using Text = Bilingual;

// A student as a message names them: "张*明 (…0123)"; "a student (…0123)" / "一名学生 (…0123)" when no
// masked name is known.
struct Person {
  std::string masked_name;
  std::string registry_no;
};

// A shot number as the camera writes it: "0412".
std::string ShotNumber(uint32_t number);
// "14:05": a station instant as local time of day, given the day's local midnight.
std::string TimeOfDay(int64_t instant_us, int64_t local_midnight_us);
// "09:30": minutes after local midnight.
std::string Minute(int minute_of_day);

// Why the judge itself resolved an anomaly.
struct Reason {
  std::string_view en;
  std::string_view zh;
};
inline constexpr Reason kClockWithinTolerance{"the station clock is back within tolerance", "机位时钟已回到容差之内"};
inline constexpr Reason kStationHeardAgain{"the station is heard again", "又收到了该机位的消息"};
inline constexpr Reason kClockPastWentBack{"the station clock is past the time it went back from",
                                           "机位时钟已走过它倒退前的时间"};
inline constexpr Reason kRetakeReplaced{"replaced by a retake", "已被重拍取代"};
inline constexpr Reason kShotsVoided{"its shots were voided or replaced", "相关照片已作废或被取代"};
inline constexpr Reason kShotBeforeVoided{"the shot before it was voided, so it follows the code read after all",
                                          "它前面的那张照片已作废，所以它仍归属于读到的码"};
inline constexpr Reason kImagesArrivedLate{"the missing images arrived late", "缺少的图像迟到了，现已到达"};
inline constexpr Reason kNowHasPhoto{"the student now has a photo", "该学生现在有照片了"};
inline constexpr Reason kMarkedAbsent{"the student was marked absent", "该学生已被标记为缺席"};

// ---- One per situation the judge raises an anomaly for (see rules.md) ----

Text CodeUnreadable(std::string_view detail);
Text StationReplaced(uint32_t station);
Text ClockOff(uint32_t station, int64_t offset_us);
Text ClockWentBack(uint32_t station, int64_t by_us);
Text StationSilent(uint32_t station);
// `twice`: two different copies of the event both link to the chain; else the record's copy is not
// the one the station signed.
Text ChainConflict(uint32_t station, uint64_t seq, bool twice);
Text UnknownCode(const Person& who);
// `would_be`: whose earlier read the station would file the shot under.
Text ShotWithoutNewCode(std::string_view file, const Person& would_be);
Text ShotBeforeAnyCode(std::string_view file);
Text StallUnordered(uint32_t station, std::string_view file, size_t reads);
Text CodeWithoutShot(const Person& passed_over, const Person& bound_to, std::string_view file);
Text ShotUnknownCode(std::string_view file, const Person& who);
Text DuplicateStudent(const Person& who, std::string_view first_file, uint32_t first_station,
                      std::string_view file);
Text StaleCode(std::string_view file, const Person& who, int64_t age_us);
Text AbsentSuperseded(const Person& who, std::string_view file);
Text UnknownStudent();
Text AbsentAfterPhoto(const Person& who, std::string_view file);
Text UnknownAnomaly(std::string_view id);
Text ShotNumberGap(uint32_t from, uint32_t to, uint32_t missing);
Text DuplicateShot(uint32_t number, std::string_view first_file, std::string_view file);
Text ShotNumberRewind(uint32_t from, uint32_t to, std::string_view file);
Text OutOfOrder(const Person& who, std::string_view class_name, std::string_view file, uint32_t number);
Text ClassInterleaved(const Person& who, std::string_view class_name, std::string_view resumed_class,
                      std::string_view file, uint32_t number);
Text WrongStation(std::string_view class_name, uint32_t station, const Person& who, std::string_view file);
// `started`, `slot_start`, `slot_end`: "HH:MM".
Text OffSchedule(std::string_view class_name, std::string_view started, std::string_view slot_start,
                 std::string_view slot_end, uint32_t station);
Text NoValidPhoto(const Person& who, std::string_view class_name);
Text MissingStudent(const Person& who, std::string_view class_name);

}  // namespace capture::judge::msg
