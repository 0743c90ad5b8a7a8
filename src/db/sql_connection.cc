#include "db/sql_connection.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

namespace ava::db {

int64_t SqlValue::AsInt() const {
  if (const auto* i = std::get_if<int64_t>(&rep_)) return *i;
  if (const auto* d = std::get_if<double>(&rep_)) return static_cast<int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&rep_)) {
    int64_t v = 0;
    std::from_chars(s->data(), s->data() + s->size(), v);
    return v;
  }
  return 0;
}

double SqlValue::AsReal() const {
  if (const auto* d = std::get_if<double>(&rep_)) return *d;
  if (const auto* i = std::get_if<int64_t>(&rep_)) return static_cast<double>(*i);
  if (const auto* s = std::get_if<std::string>(&rep_)) return std::strtod(s->c_str(), nullptr);
  return 0;
}

std::string SqlValue::AsText() const {
  if (const auto* s = std::get_if<std::string>(&rep_)) return *s;
  if (const auto* b = std::get_if<Blob>(&rep_)) return b->bytes;
  if (const auto* i = std::get_if<int64_t>(&rep_)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&rep_)) return fmt::format("{}", *d);
  return "";
}

}  // namespace ava::db
