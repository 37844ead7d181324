// RFC 4180 CSV: comma-separated, fields optionally in double quotes ("" inside quotes is a quote).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace capture {

using CsvRow = std::vector<std::string>;

// Parses a whole document. Blank lines are skipped; a UTF-8 byte-order mark is dropped.
// `source` names the input in error messages ("roster.csv line 12: ...").
Result<std::vector<CsvRow>> ParseCsv(std::string_view text, std::string_view source);

// Quotes a field when it holds a comma, quote, or line break.
std::string CsvField(std::string_view field);
std::string CsvLine(const CsvRow& row);  // fields joined, ending in "\n"

}  // namespace capture
