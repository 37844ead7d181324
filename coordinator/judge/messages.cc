#include "coordinator/judge/messages.h"

#include <cstdio>
#include <cstdlib>
#include <initializer_list>

#include "common/utf8.h"

namespace capture::judge::msg {

namespace {

constexpr int64_t kSecondUs = 1'000'000;
constexpr int64_t kMinuteUs = 60 * kSecondUs;

std::string Cat(std::initializer_list<std::string_view> parts) {
  size_t size = 0;
  for (std::string_view p : parts) size += p.size();
  std::string out;
  out.reserve(size);
  for (std::string_view p : parts) out += p;
  return out;
}

std::string N(uint64_t n) { return std::to_string(n); }

std::string Who(const Person& p, std::string_view nobody) {
  // By characters: a registry number may hold any script, and a cut through a character would make
  // the whole message invalid UTF-8 (a protobuf string that no longer parses).
  return Cat({p.masked_name.empty() ? nobody : std::string_view(p.masked_name), " (…",
              LastChars(p.registry_no, 4), ")"});
}
std::string En(const Person& p) { return Who(p, "a student"); }
std::string Zh(const Person& p) { return Who(p, "一名学生"); }

// Rounded down: "95 s", "12 min"; "95 秒", "12 分钟".
Text Duration(int64_t us) {
  if (us < 0) us = -us;
  if (us < 2 * kMinuteUs) return {N(us / kSecondUs) + " s", N(us / kSecondUs) + " 秒"};
  return {N(us / kMinuteUs) + " min", N(us / kMinuteUs) + " 分钟"};
}

// Signed, in seconds: "+95 s", "-3 s".
Text Offset(int64_t us) {
  const std::string n = (us < 0 ? "-" : "+") + N(std::llabs(us) / kSecondUs);
  return {n + " s", n + " 秒"};
}

// The sentence both clock anomalies end with.
constexpr std::string_view kTimesDecideEn = "because times decide which code owns which shot.";
constexpr std::string_view kTimesDecideZh = "因为时间决定哪个码对应哪张照片。";

}  // namespace

std::string ShotNumber(uint32_t number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04u", number);
  return buf;
}

std::string TimeOfDay(int64_t instant_us, int64_t local_midnight_us) {
  int64_t minute = (instant_us - local_midnight_us) / kMinuteUs;
  if (instant_us < local_midnight_us && (instant_us - local_midnight_us) % kMinuteUs != 0) --minute;
  minute %= 24 * 60;
  if (minute < 0) minute += 24 * 60;
  return Minute(static_cast<int>(minute));
}

std::string Minute(int minute_of_day) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute_of_day / 60, minute_of_day % 60);
  return buf;
}

Text CodeUnreadable(std::string_view detail) {
  return {Cat({"A code could not be read", detail.empty() ? "" : Cat({" (", detail, ")"}),
               ": read it again, and send the student to the registrar if it keeps failing."}),
          Cat({"有一个码读不出", detail.empty() ? "" : Cat({"（", detail, "）"}),
               "：请重新读码；若一直读不出，请让该学生去找登记员。"})};
}

Text StationReplaced(uint32_t station) {
  return {Cat({"Station ", N(station),
               " started a new journal: if its computer was replaced, check that the camera and the code reader "
               "are connected to the new one."}),
          Cat({"机位 ", N(station), " 启用了新的日志：如果它的电脑换过，请检查相机和读码器是否已接到新电脑上。"})};
}

Text ClockOff(uint32_t station, int64_t offset_us) {
  const Text off = Offset(offset_us);
  return {Cat({"Station ", N(station), "'s clock is off by ", off.en, " from the coordinator's: set it right, ",
               kTimesDecideEn}),
          Cat({"机位 ", N(station), " 的时钟与协调器相差 ", off.zh, "：请校准，", kTimesDecideZh})};
}

Text ClockWentBack(uint32_t station, int64_t by_us) {
  const Text by = Duration(by_us);
  return {Cat({"Station ", N(station), "'s clock went back by ", by.en, ": check the computer's clock, ",
               kTimesDecideEn}),
          Cat({"机位 ", N(station), " 的时钟倒退了 ", by.zh, "：请检查电脑的时钟，", kTimesDecideZh})};
}

Text StationSilent(uint32_t station) {
  return {Cat({"Station ", N(station), " has sent nothing for a while: check its computer, its network and its agent."}),
          Cat({"机位 ", N(station), " 已有一段时间没有发来任何内容：请检查它的电脑、网络和代理程序。"})};
}

Text ChainConflict(uint32_t station, uint64_t seq, bool twice) {
  return {Cat({"Station ", N(station), "'s event ", N(seq),
               twice ? " arrived twice with different contents, both linked to its chain"
                     : " in the record is not the one the station signed",
               ": another computer may hold this station's key. Stop the station, compare its journal with the "
               "record, and revoke the key if it was copied."}),
          Cat({twice ? Cat({"机位 ", N(station), " 的事件 ", N(seq), " 到达了两次，内容不同，且都接在它的链上"})
                     : Cat({"记录中机位 ", N(station), " 的事件 ", N(seq), " 不是该机位签名的那一个"}),
               "：可能有另一台电脑持有该机位的密钥。请停用该机位，把它的日志与记录核对；如果密钥被复制了，请吊销它。"})};
}

Text UnknownCode(const Person& who) {
  return {Cat({"The code read for ", En(who),
               " belongs to nobody on the roster: do not photograph this person until the registrar confirms who "
               "they are."}),
          Cat({"为 ", Zh(who), " 读到的码不属于名单上的任何人：在登记员确认此人身份之前，请不要为其拍照。"})};
}

Text ShotWithoutNewCode(std::string_view file, const Person& would_be) {
  return {Cat({"Shot ", file, " came with no new code read since the last shot (the station would file it under ",
               En(would_be), "): void it (!void ", file,
               "), read the code of the person in the chair and photograph them again."}),
          Cat({"照片 ", file, " 到达时，自上一张照片以来没有读到新的码（机位会把它归到 ", Zh(would_be),
               " 名下）：请作废它（!void ", file, "），读取椅子上那个人的码，再重新拍照。"})};
}

Text ShotBeforeAnyCode(std::string_view file) {
  return {Cat({"Shot ", file, " came before any code was read: void it (!void ", file,
               ") if it was a test shot, else read the code of the person in the chair and photograph them again."}),
          Cat({"照片 ", file, " 在读到任何码之前就到达了：如果是试拍，请作废它（!void ", file,
               "）；否则请读取椅子上那个人的码，再重新拍照。"})};
}

Text StallUnordered(uint32_t station, std::string_view file, size_t reads) {
  return {Cat({"Station ", N(station), "'s agent was held up, and shot ", file,
               " was taken meanwhile, while the codes of ", N(reads),
               " student(s) were read: which of them it shows cannot be told. Check the photo, void it (!void ",
               file, ") and photograph each of them again with a retake mark."}),
          Cat({"机位 ", N(station), " 的代理程序曾被阻滞，期间拍下了照片 ", file, "，同时读取了 ", N(reads),
               " 名学生的码：无法判断照片上是其中哪一位。请检查这张照片，作废它（!void ", file,
               "），并用重拍标记为他们每人重新拍照。"})};
}

Text CodeWithoutShot(const Person& passed_over, const Person& bound_to, std::string_view file) {
  return {Cat({"The code of ", En(passed_over), " was read, then the code of ", En(bound_to),
               ", with no shot between, and shot ", file, " went to ", En(bound_to),
               ": if the first left without a photo, call them back, read their code and photograph them; if ",
               file, " shows the first, void it and photograph both again."}),
          Cat({"先读到 ", Zh(passed_over), " 的码，又读到 ", Zh(bound_to), " 的码，中间没有拍照，照片 ", file,
               " 归给了 ", Zh(bound_to), "：如果前者没拍照就走了，请叫回来，读码并拍照；如果 ", file,
               " 拍的是前者，请作废它，再为两人重新拍照。"})};
}

Text ShotUnknownCode(std::string_view file, const Person& who) {
  return {Cat({"Shot ", file, " was taken under the code of ", En(who),
               ", who is on no roster, so it is nobody's photo: ask the registrar who this is; void it (!void ",
               file, ") if it was not meant to be taken."}),
          Cat({"照片 ", file, " 是在 ", Zh(who), " 的码下拍的，此人不在任何名单上，所以这张照片不属于任何人：请问登记员这是谁；"
               "如果这张本不该拍，请作废它（!void ", file, "）。"})};
}

Text DuplicateStudent(const Person& who, std::string_view first_file, uint32_t first_station,
                      std::string_view file) {
  return {Cat({En(who), " already has photo ", first_file, " (station ", N(first_station), "), so ", file,
               " is held back: if it is a retake, mark it (!retake) and photograph again; if it shows someone "
               "else, void it (!void ", file, ")."}),
          Cat({Zh(who), " 已有照片 ", first_file, "（机位 ", N(first_station), "），所以 ", file,
               " 被暂扣：如果是重拍，请标记（!retake）后重新拍照；如果照片上是别人，请作废它（!void ", file, "）。"})};
}

Text StaleCode(std::string_view file, const Person& who, int64_t age_us) {
  const Text age = Duration(age_us);
  return {Cat({"Shot ", file, " went to ", En(who), ", whose code was read ", age.en,
               " before it: if the person photographed is someone else, void it (!void ", file,
               "); if not, mark a retake and photograph again, or resolve this anomaly."}),
          Cat({"照片 ", file, " 归给了 ", Zh(who), "，而其码是在 ", age.zh, " 之前读的：如果被拍的是别人，请作废它（!void ",
               file, "）；如果不是，请标记重拍并重新拍照，或解决此异常。"})};
}

Text AbsentSuperseded(const Person& who, std::string_view file) {
  return {Cat({En(who), " was marked absent earlier and has now been photographed (", file, "): the photo stands."}),
          Cat({Zh(who), " 此前被标记为缺席，现在已经拍照（", file, "）：照片有效。"})};
}

Text UnknownStudent() {
  return {"An absent mark names a student number that is on no roster: check the number and mark again.",
          "缺席标记里的学号不在任何名单上：请核对学号后重新标记。"};
}

Text AbsentAfterPhoto(const Person& who, std::string_view file) {
  return {Cat({En(who), " was marked absent but already has photo ", file,
               ": someone else may have sat for it under their code. Void the photo (!void ", file,
               ") if it is not theirs, or resolve this anomaly if it is."}),
          Cat({Zh(who), " 被标记为缺席，但已有照片 ", file, "：可能有别人用其码拍了这张照片。如果照片上不是本人，请作废它（!void ",
               file, "）；如果是本人，请解决此异常。"})};
}

Text UnknownAnomaly(std::string_view id) {
  return {Cat({"The resolve names ", id, ", which is not an open anomaly: check the id."}),
          Cat({"要解决的 ", id, " 不是未解决的异常：请核对编号。"})};
}

Text ShotNumberGap(uint32_t from, uint32_t to, uint32_t missing) {
  return {Cat({"Shot numbers jumped from ", ShotNumber(from), " to ", ShotNumber(to), ": ", N(missing),
               " image(s) never arrived (test or deleted shots?); nothing to do if that was intended."}),
          Cat({"照片编号从 ", ShotNumber(from), " 跳到了 ", ShotNumber(to), "：有 ", N(missing),
               " 张图像始终没有到达（试拍或已删除？）；如果是有意的，无需处理。"})};
}

Text DuplicateShot(uint32_t number, std::string_view first_file, std::string_view file) {
  return {Cat({"Shot number ", ShotNumber(number), " came twice (", first_file, ", ", file,
               "): the paper form shows one number for two images; void the wrong one and correct the form."}),
          Cat({"照片编号 ", ShotNumber(number), " 出现了两次（", first_file, "、", file,
               "）：纸质表上一个编号对应了两张图像；请作废错的那张，并更正纸质表。"})};
}

Text ShotNumberRewind(uint32_t from, uint32_t to, std::string_view file) {
  return {Cat({"The camera's shot number went back from ", ShotNumber(from), " to ", ShotNumber(to), " (", file,
               "): a reset counter or another card can overwrite earlier files; check the camera before the next "
               "shot, then resolve this anomaly."}),
          Cat({"相机的照片编号从 ", ShotNumber(from), " 退回到 ", ShotNumber(to), "（", file,
               "）：计数器被重置或换了存储卡，可能会覆盖先前的文件；请在拍下一张之前检查相机，然后解决此异常。"})};
}

Text OutOfOrder(const Person& who, std::string_view class_name, std::string_view file, uint32_t number) {
  return {Cat({En(who), " was photographed out of student-number order in class ", class_name, " (shot ", file,
               "): check that the paper form has them at shot ", ShotNumber(number), "."}),
          Cat({Zh(who), " 在班级 ", class_name, " 中没有按学号顺序拍照（照片 ", file, "）：请确认纸质表上此人对应照片编号 ",
               ShotNumber(number), "。"})};
}

Text ClassInterleaved(const Person& who, std::string_view class_name, std::string_view resumed_class,
                      std::string_view file, uint32_t number) {
  return {Cat({En(who), " of class ", class_name, " was photographed in the middle of class ", resumed_class,
               " (shot ", file, "): check their code and that the paper form has them at shot ", ShotNumber(number),
               "."}),
          Cat({"班级 ", class_name, " 的 ", Zh(who), " 在班级 ", resumed_class, " 拍摄中途被拍照（照片 ", file,
               "）：请核对此人的码，并确认纸质表上此人对应照片编号 ", ShotNumber(number), "。"})};
}

Text WrongStation(std::string_view class_name, uint32_t station, const Person& who, std::string_view file) {
  return {Cat({"Class ", class_name, " has no slot at station ", N(station), ", yet ", En(who),
               " was photographed here (shot ", file, "): send the class to its own station, or tell the registrar."}),
          Cat({"班级 ", class_name, " 在机位 ", N(station), " 没有时段，但 ", Zh(who), " 在这里拍了照（照片 ", file,
               "）：请让该班去自己的机位，或告知登记员。"})};
}

Text OffSchedule(std::string_view class_name, std::string_view started, std::string_view slot_start,
                 std::string_view slot_end, uint32_t station) {
  return {Cat({"Class ", class_name, " started at ", started, ", far outside its slot ", slot_start, "–", slot_end,
               " at station ", N(station), ": tell the registrar."}),
          Cat({"班级 ", class_name, " 于 ", started, " 开始拍摄，远离它在机位 ", N(station), " 的时段 ", slot_start, "–",
               slot_end, "：请告知登记员。"})};
}

Text NoValidPhoto(const Person& who, std::string_view class_name) {
  return {Cat({En(who), " of class ", class_name,
               " had their code read but has no valid photo, and the class has moved on: read their code and "
               "photograph them again."}),
          Cat({"班级 ", class_name, " 的 ", Zh(who), " 已读码，但没有有效照片，而该班已经离开：请读取其码并重新拍照。"})};
}

Text MissingStudent(const Person& who, std::string_view class_name) {
  return {Cat({En(who), " of class ", class_name,
               " has no photo and is not marked absent, and the class has moved on: photograph them or mark them "
               "absent."}),
          Cat({"班级 ", class_name, " 的 ", Zh(who), " 没有照片，也没有标记缺席，而该班已经离开：请为其拍照或标记缺席。"})};
}

}  // namespace capture::judge::msg
