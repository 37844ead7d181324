// Plain line logging to stderr: "<UTC time> <level> <component>: <message>".
// Thread-safe per line. Logs never carry a raw collection code.
#pragma once

#include <string_view>

namespace capture {

enum class LogLevel { kInfo, kWarn, kError };

void Log(LogLevel level, std::string_view component, std::string_view message);
inline void LogInfo(std::string_view component, std::string_view m) { Log(LogLevel::kInfo, component, m); }
inline void LogWarn(std::string_view component, std::string_view m) { Log(LogLevel::kWarn, component, m); }
inline void LogError(std::string_view component, std::string_view m) { Log(LogLevel::kError, component, m); }

}  // namespace capture
