#include "common/units.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace ava {

namespace {

// Splits "1.5GiB" into 1.5 and "GiB"; false if there is no leading number.
bool SplitNumber(std::string_view text, double* number, std::string* suffix) {
  std::string s(text);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  s = s.substr(start);
  if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '.')) return false;
  char* end = nullptr;
  *number = std::strtod(s.c_str(), &end);
  std::string rest(end);
  size_t i = 0;
  while (i < rest.size() && std::isspace(static_cast<unsigned char>(rest[i]))) ++i;
  *suffix = rest.substr(i);
  return std::isfinite(*number) && *number >= 0;
}

}  // namespace

Result<uint64_t> ParseBytes(std::string_view text) {
  double n = 0;
  std::string suffix;
  if (!SplitNumber(text, &n, &suffix)) {
    return Status::InvalidArgument(fmt::format("'{}' is not a size (examples: 512MiB, 4GiB, 100)", text));
  }
  std::string s;
  for (char c : suffix) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double mult = 0;
  if (s.empty() || s == "b")
    mult = 1;
  else if (s == "k" || s == "kib" || s == "ki")
    mult = 1024.0;
  else if (s == "m" || s == "mib" || s == "mi")
    mult = 1024.0 * 1024;
  else if (s == "g" || s == "gib" || s == "gi")
    mult = 1024.0 * 1024 * 1024;
  else if (s == "t" || s == "tib" || s == "ti")
    mult = 1024.0 * 1024 * 1024 * 1024;
  else if (s == "kb")
    mult = 1e3;
  else if (s == "mb")
    mult = 1e6;
  else if (s == "gb")
    mult = 1e9;
  else if (s == "tb")
    mult = 1e12;
  if (mult == 0) {
    return Status::InvalidArgument(fmt::format(
        "'{}' has an unknown size unit '{}' (use B, KiB, MiB, GiB, TiB, kB, MB, GB, TB)", text, suffix));
  }
  double bytes = n * mult;
  if (bytes > 1.8e19) return Status::InvalidArgument(fmt::format("'{}' is too large", text));
  return static_cast<uint64_t>(std::llround(bytes));
}

Result<Nanos> ParseDuration(std::string_view text) {
  double n = 0;
  std::string suffix;
  if (!SplitNumber(text, &n, &suffix)) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a duration (examples: 250ms, 30s, 5m, 2h)", text));
  }
  double mult = 0;
  if (suffix.empty() || suffix == "s")
    mult = 1e9;
  else if (suffix == "ms")
    mult = 1e6;
  else if (suffix == "us")
    mult = 1e3;
  else if (suffix == "ns")
    mult = 1;
  else if (suffix == "m" || suffix == "min")
    mult = 60e9;
  else if (suffix == "h")
    mult = 3600e9;
  else if (suffix == "d")
    mult = 86400e9;
  if (mult == 0) {
    return Status::InvalidArgument(
        fmt::format("'{}' has an unknown duration unit '{}' (use ms, s, m, h, d)", text, suffix));
  }
  return Nanos(static_cast<int64_t>(std::llround(n * mult)));
}

std::string FormatBytes(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  if (u == 0) return fmt::format("{} B", bytes);
  return fmt::format("{:.{}f} {}", v, v < 10 ? 2 : 1, kUnits[u]);
}

std::string FormatDuration(Nanos d) {
  double s = static_cast<double>(d.count()) / 1e9;
  if (s < 1e-3) return fmt::format("{:.0f} us", s * 1e6);
  if (s < 1) return fmt::format("{:.0f} ms", s * 1e3);
  if (s < 60) return fmt::format("{:.2f} s", s);
  auto total = static_cast<int64_t>(s);
  if (total < 3600) return fmt::format("{}m{:02d}s", total / 60, total % 60);
  return fmt::format("{}h{:02d}m", total / 3600, (total % 3600) / 60);
}

std::string FormatRate(double bytes_per_second) {
  if (bytes_per_second < 0 || !std::isfinite(bytes_per_second)) return "n/a";
  return FormatBytes(static_cast<uint64_t>(bytes_per_second)) + "/s";
}

}  // namespace ava
