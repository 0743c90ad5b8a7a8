// Bearer-token secrets and their hashes. A secret is "ava_" followed by 43 base64url characters
// (32 bytes from the OS's CSPRNG via OpenSSL). Only its SHA-256 (lower-case hex) is stored: with
// 256 bits of entropy a plain hash is enough; no salt or slow KDF is needed, and lookups stay an
// index probe.
//
// Errors: NewTokenSecret fails with Internal if the random generator does.
// Thread safety: both functions are safe to call concurrently.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace ava::db {

Result<std::string> NewTokenSecret();
std::string TokenSha256Hex(std::string_view secret);

}  // namespace ava::db
