// RFC 3339 times, as the API writes and reads them and as S3 reports LastModified.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"

namespace ava {

// "2026-03-01T12:00:05.123Z" (UTC, milliseconds).
std::string FormatTime(Nanos wall);
// "2026-03-01T12:00:05Z", with an optional fraction and a Z or ±hh:mm offset; InvalidArgument
// otherwise.
Result<Nanos> ParseTime(std::string_view text);

}  // namespace ava
