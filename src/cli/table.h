// Table: columns of text for people, each as wide as its widest cell, two spaces apart; the last
// column is not padded. Cells are printed as given (callers shorten long reasons themselves).
//
// Thread safety: a plain value.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace ava::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  size_t size() const { return rows_.size(); }
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace ava::cli
