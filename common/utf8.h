// UTF-8 text cut and measured by characters (code points), so that no cut splits a character and
// no column is padded by bytes. A byte that does not belong to a well-formed UTF-8 sequence (a
// hand-edited file in another encoding) counts as one character of its own.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace capture {

// The first / last `n` characters of `text` (all of it when it has no more).
std::string_view FirstChars(std::string_view text, size_t n);
std::string_view LastChars(std::string_view text, size_t n);

bool IsValidUtf8(std::string_view text);
// The offset of the first byte that is not part of a well-formed sequence; npos when there is none.
size_t InvalidUtf8At(std::string_view text);
// `text` with every byte that is not part of a well-formed sequence replaced by U+FFFD.
std::string ValidUtf8(std::string_view text);

// The character at text[at] (at < text.size()): its code point and length in bytes, or, for a byte
// that starts no well-formed sequence (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF), valid false, U+FFFD and length 1.
struct Utf8Char {
  char32_t value = 0xFFFD;
  size_t length = 1;
  bool valid = false;
};
Utf8Char DecodeChar(std::string_view text, size_t at);

// Columns on a terminal: 2 for East Asian wide and fullwidth characters (CJK, kana, Hangul,
// fullwidth forms, emoji), 0 for combining marks and zero-width joiners, 1 for the rest.
size_t CharWidth(char32_t c);
size_t DisplayWidth(std::string_view text);  // a byte that is not UTF-8: 1

// `text` safe to print on a terminal: every character that could drive it (C0 and C1 controls,
// DEL, the bidirectional overrides and isolates that reorder a line) and every byte that is not
// UTF-8 becomes '?', a tab a space.
std::string TerminalSafe(std::string_view text);

}  // namespace capture
