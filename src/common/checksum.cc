#include "common/checksum.h"

#include <xxhash.h>

namespace ava {

uint64_t Checksum64(const void* data, size_t len) { return XXH3_64bits(data, len); }
uint64_t Checksum64(std::string_view data) { return XXH3_64bits(data.data(), data.size()); }

}  // namespace ava
