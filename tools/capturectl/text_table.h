// Readable plain-text tables for a terminal: capturectl's default output. Pure.
//
// Columns are padded to their widest cell, counting East Asian wide characters (the roster's
// Chinese names and classes) as two terminal columns, so the columns line up in a terminal. Every
// cell is made terminal-safe first (TerminalSafe, common/utf8.h): control characters (C0, DEL, C1)
// and direction overrides become '?', so a hostile class name or code cannot move the cursor,
// recolour the registrar's terminal or reorder a row.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace capture::ctl {

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
