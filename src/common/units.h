// Human units for sizes and durations, used by config files and flags, and their formatting.
// Sizes: "4GiB", "512MiB", "64KiB", "1.5GB", "100" (bytes). IEC suffixes are powers of 1024,
// SI suffixes (kB, MB, GB, TB) powers of 1000; a bare K/M/G/T means IEC, as in `dd` and `numfmt`.
// Durations: "250ms", "30s", "5m", "2h", "1d", "1500us", or a bare number of seconds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"

namespace ava {

Result<uint64_t> ParseBytes(std::string_view text);
Result<Nanos> ParseDuration(std::string_view text);

// "1.5 GiB", "512 KiB", "17 B".
std::string FormatBytes(uint64_t bytes);
// "1.25 s", "340 ms", "2m05s", "1h02m".
std::string FormatDuration(Nanos d);
// Bytes per second as "112.4 MiB/s".
std::string FormatRate(double bytes_per_second);

}  // namespace ava
