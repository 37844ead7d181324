// Readable plain-text tables for a terminal: capturectl's default output. Pure.
//
// Columns are padded to their widest cell, counting East Asian wide characters (the roster's
// Chinese names and classes) as two terminal columns, so the columns line up in a terminal. Every
// cell is made terminal-safe first: control characters (C0, DEL, C1) become '?', so a hostile
// class name or code cannot move the cursor or recolour the registrar's terminal.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace capture::ctl {

// Terminal columns `utf8` takes: 2 for East Asian wide and fullwidth characters, else 1 per
// character (invalid bytes count 1 each).
size_t DisplayWidth(std::string_view utf8);

// `text` with every control character (bytes 0x00–0x1F and 0x7F, and U+0080–U+009F) replaced by '?'.
std::string TerminalSafe(std::string_view text);

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header);

  // A row with as many cells as the header (missing cells are empty, extra ones dropped).
  void AddRow(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }

  // The header and the rows, one line each ending in "\n", columns two spaces apart; the last
  // column is not padded, so a long message does not leave trailing blanks.
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace capture::ctl
