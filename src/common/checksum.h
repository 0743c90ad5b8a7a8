// Checksums for bytes Ava stores itself (SSD cache blocks, journals): XXH3-64, fast enough to verify
// every block on every read.
#pragma once

#include <cstdint>
#include <string_view>

namespace ava {

uint64_t Checksum64(std::string_view data);
uint64_t Checksum64(const void* data, size_t len);

}  // namespace ava
