#include "common/language.h"

#include <array>

namespace capture {

namespace {

struct ChineseKindName {
  wire::Anomaly::Kind kind;
  std::string_view zh;
};

constexpr std::array kChineseKindNames = {
    ChineseKindName{wire::Anomaly::SHOT_WITHOUT_CODE, "无码照片"},
    ChineseKindName{wire::Anomaly::CODE_WITHOUT_SHOT, "读码未拍"},
    ChineseKindName{wire::Anomaly::DUPLICATE_STUDENT, "学生重复拍摄"},
    ChineseKindName{wire::Anomaly::DUPLICATE_SHOT, "照片编号重复"},
    ChineseKindName{wire::Anomaly::SHOT_NUMBER_GAP, "照片编号跳号"},
    ChineseKindName{wire::Anomaly::SHOT_NUMBER_REWIND, "照片编号倒退"},
    ChineseKindName{wire::Anomaly::OUT_OF_ORDER, "未按学号顺序"},
    ChineseKindName{wire::Anomaly::CLASS_INTERLEAVED, "班级穿插"},
    ChineseKindName{wire::Anomaly::WRONG_STATION, "机位不对"},
    ChineseKindName{wire::Anomaly::OFF_SCHEDULE, "偏离时间表"},
    ChineseKindName{wire::Anomaly::UNKNOWN_CODE, "名单外的码"},
    ChineseKindName{wire::Anomaly::CODE_UNREADABLE, "码读不出"},
    ChineseKindName{wire::Anomaly::CLOCK_SKEW, "时钟偏差"},
    ChineseKindName{wire::Anomaly::MISSING_STUDENT, "学生未拍"},
    ChineseKindName{wire::Anomaly::STATION_SILENT, "机位无响应"},
    ChineseKindName{wire::Anomaly::STALE_CODE, "码已过时"},
    ChineseKindName{wire::Anomaly::NO_VALID_PHOTO, "无有效照片"},
    ChineseKindName{wire::Anomaly::STATION_REPLACED, "机位已更换"},
    ChineseKindName{wire::Anomaly::ABSENT_AFTER_PHOTO, "已拍照又标缺席"},
    ChineseKindName{wire::Anomaly::ABSENT_SUPERSEDED, "缺席后又拍照"},
    ChineseKindName{wire::Anomaly::UNKNOWN_STUDENT, "名单外的学号"},
    ChineseKindName{wire::Anomaly::UNKNOWN_ANOMALY, "没有这个异常"},
    ChineseKindName{wire::Anomaly::CHAIN_CONFLICT, "记录链冲突"},
    ChineseKindName{wire::Anomaly::SHOT_UNKNOWN_CODE, "名单外人员的照片"},
    ChineseKindName{wire::Anomaly::STALL_UNORDERED, "阻滞期间的照片"},
};

}  // namespace

std::optional<Language> ParseLanguage(std::string_view text) {
  if (text == "zh") return Language::kZh;
  if (text == "en") return Language::kEn;
  return std::nullopt;
}

std::string_view KindName(wire::Anomaly::Kind kind, Language language) {
  if (language == Language::kZh) {
    for (const ChineseKindName& k : kChineseKindNames) {
      if (k.kind == kind) return k.zh;
    }
  }
  return wire::Anomaly::Kind_Name(kind);
}

std::string_view SeverityName(wire::Severity severity, Language language) {
  if (language == Language::kZh) {
    switch (severity) {
      case wire::BLOCKER: return "阻断";
      case wire::WARNING: return "警告";
      case wire::INFO: return "提示";
      default: break;
    }
  }
  return wire::Severity_Name(severity);
}

}  // namespace capture
