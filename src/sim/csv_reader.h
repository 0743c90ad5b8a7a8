// CsvTable: a whole CSV file of plain cells (no quoting; the public GPU traces have none) with its
// header, for the trace loaders.
//
// Errors: NotFound when the file cannot be read; InvalidArgument "file:line: …" for a row with the
// wrong number of cells or a cell that is not a number where one is required.
// Thread safety: a value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace ava::sim {

class CsvTable {
 public:
  static Result<CsvTable> Load(const std::string& path);
  static Result<CsvTable> Parse(std::string_view text, std::string source);

  const std::vector<std::string>& header() const { return header_; }
  size_t rows() const { return rows_.size(); }
  // Column index of `name`, or -1.
  int Column(std::string_view name) const;
  const std::string& Cell(size_t row, int column) const { return rows_[row][column]; }
  // The cell as an integer / a double; `fallback` for an empty cell or a missing column (-1).
  Result<int64_t> Int(size_t row, int column, int64_t fallback = 0) const;
  Result<double> Double(size_t row, int column, double fallback = 0) const;

 private:
  Status CellError(size_t row, int column, std::string_view what) const;

  std::string source_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<int> line_;  // file line of each row, for messages
};

}  // namespace ava::sim
