// The language a person reads the system in: Chinese (the default, for the room's operators and
// registrars) or English. What machines read (exports, protocol lines, kind codes) stays English.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "capture.pb.h"

namespace capture {

enum class Language { kZh, kEn };

// What a person is told, said in both languages from the same facts.
struct Bilingual {
  std::string en;
  std::string zh;
  // Chinese falls back to the English where there is no Chinese (a record of older rules).
  const std::string& In(Language language) const { return language == Language::kZh && !zh.empty() ? zh : en; }
};

// "zh" or "en"; nullopt for anything else.
std::optional<Language> ParseLanguage(std::string_view text);

// The name a person reads for an anomaly kind ("无码照片"; in English its code, "SHOT_WITHOUT_CODE"),
// and for a severity ("阻断" / "BLOCKER"). A kind newer than this table reads as its code.
std::string_view KindName(wire::Anomaly::Kind kind, Language language);
std::string_view SeverityName(wire::Severity severity, Language language);

}  // namespace capture
