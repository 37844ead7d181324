#include "common/utf8.h"

#include <cstdint>

namespace capture {

namespace {

// One character's length at text[at]: its sequence, or 1 for a stray byte.
size_t CharAt(std::string_view text, size_t at) { return DecodeChar(text, at).length; }

bool IsWide(char32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) || (c >= 0x3041 && c <= 0x33FF) ||
         (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
         (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
         (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
         (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
}

bool IsZeroWidth(char32_t c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) || (c >= 0x1DC0 && c <= 0x1DFF) ||
         (c >= 0x20D0 && c <= 0x20FF) || (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xFE20 && c <= 0xFE2F) ||
         c == 0x200B || c == 0x200C || c == 0x200D;
}

bool DrivesTerminal(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

}  // namespace

Utf8Char DecodeChar(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return {lead, 1, true};
  size_t length = 0;
  char32_t value = 0;
  char32_t min = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, value = lead & 0x1F, min = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, value = lead & 0x0F, min = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, value = lead & 0x07, min = 0x10000;
  } else {
    return {};
  }
  if (at + length > text.size()) return {};
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return {};
    value = (value << 6) | (byte(i) & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return {};
  return {value, length, true};
}

size_t CharWidth(char32_t c) { return IsZeroWidth(c) ? 0 : IsWide(c) ? 2 : 1; }

std::string_view FirstChars(std::string_view text, size_t n) {
  size_t at = 0;
  for (size_t taken = 0; taken < n && at < text.size(); ++taken) at += CharAt(text, at);
  return text.substr(0, at);
}

std::string_view LastChars(std::string_view text, size_t n) {
  // Walk forward (a stray byte must count as the walk from the front counts it), remembering where
  // each of the last n characters starts.
  size_t count = 0;
  for (size_t at = 0; at < text.size(); at += CharAt(text, at)) ++count;
  if (count <= n) return text;
  size_t at = 0;
  for (size_t skipped = 0; skipped < count - n; ++skipped) at += CharAt(text, at);
  return text.substr(at);
}

bool IsValidUtf8(std::string_view text) { return InvalidUtf8At(text) == std::string_view::npos; }

size_t InvalidUtf8At(std::string_view text) {
  for (size_t at = 0; at < text.size();) {
    const Utf8Char c = DecodeChar(text, at);
    if (!c.valid) return at;
    at += c.length;
  }
  return std::string_view::npos;
}

std::string ValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    const Utf8Char c = DecodeChar(text, at);
    out.append(c.valid ? text.substr(at, c.length) : "\xEF\xBF\xBD");
    at += c.length;
  }
  return out;
}

size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (size_t at = 0; at < text.size();) {
    const Utf8Char c = DecodeChar(text, at);
    width += c.valid ? CharWidth(c.value) : 1;
    at += c.length;
  }
  return width;
}

std::string TerminalSafe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    const Utf8Char c = DecodeChar(text, at);
    if (c.valid && c.value == U'\t') {
      out += ' ';
    } else if (!c.valid || DrivesTerminal(c.value)) {
      out += '?';
    } else {
      out.append(text.substr(at, c.length));
    }
    at += c.length;
  }
  return out;
}

}  // namespace capture
