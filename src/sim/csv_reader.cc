#include "sim/csv_reader.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

#include "common/file_util.h"

namespace ava::sim {
namespace {

std::vector<std::string> Split(std::string_view line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      out.emplace_back(line.substr(start));
      return out;
    }
    out.emplace_back(line.substr(start, comma - start));
    start = comma + 1;
  }
}

}  // namespace

Result<CsvTable> CsvTable::Load(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status().Annotate(path);
  return Parse(*text, path);
}

Result<CsvTable> CsvTable::Parse(std::string_view text, std::string source) {
  CsvTable t;
  t.source_ = std::move(source);
  int line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    std::vector<std::string> cells = Split(line);
    if (t.header_.empty()) {
      t.header_ = std::move(cells);
      continue;
    }
    if (cells.size() != t.header_.size()) {
      return Status::InvalidArgument(fmt::format("{}:{}: {} cells; the header has {}", t.source_, line_no,
                                                 cells.size(), t.header_.size()));
    }
    t.rows_.push_back(std::move(cells));
    t.line_.push_back(line_no);
  }
  if (t.header_.empty()) return Status::InvalidArgument(fmt::format("{}: empty file", t.source_));
  return t;
}

int CsvTable::Column(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

Status CsvTable::CellError(size_t row, int column, std::string_view what) const {
  return Status::InvalidArgument(fmt::format("{}:{}: column '{}': '{}' {}", source_, line_[row],
                                             header_[column], rows_[row][column], what));
}

Result<int64_t> CsvTable::Int(size_t row, int column, int64_t fallback) const {
  if (column < 0) return fallback;
  const std::string& s = rows_[row][column];
  if (s.empty()) return fallback;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && end == s.data() + s.size()) return v;
  // Some exports write integers as "12.0".
  Result<double> d = Double(row, column, 0);
  if (d.ok() && *d == static_cast<double>(static_cast<int64_t>(*d))) return static_cast<int64_t>(*d);
  return CellError(row, column, "is not an integer");
}

Result<double> CsvTable::Double(size_t row, int column, double fallback) const {
  if (column < 0) return fallback;
  const std::string& s = rows_[row][column];
  if (s.empty()) return fallback;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return CellError(row, column, "is not a number");
  return v;
}

}  // namespace ava::sim
