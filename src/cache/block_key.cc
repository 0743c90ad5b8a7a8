#include "cache/block_key.h"

#include <fmt/format.h>

#include "common/checksum.h"

namespace ava::cache {

namespace {

// Escapes the field separator, the escape character and control bytes as %XX, so that joining
// escaped fields with '|' is injective and the result stays on one line.
void AppendEscaped(std::string* out, std::string_view field) {
  for (unsigned char c : field) {
    if (c == '%' || c == '|' || c < 0x20 || c == 0x7f) {
      fmt::format_to(std::back_inserter(*out), "%{:02X}", c);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
}

}  // namespace

std::string BlockKey::ToString() const {
  std::string out;
  out.reserve(store.size() + key.size() + etag.size() + 32);
  AppendEscaped(&out, store);
  out.push_back('|');
  AppendEscaped(&out, key);
  out.push_back('|');
  AppendEscaped(&out, etag);
  fmt::format_to(std::back_inserter(out), "|{}+{}", offset, length);
  return out;
}

size_t BlockKeyHash::operator()(const BlockKey& k) const {
  // Hash each field and mix; avoids building the canonical string on every lookup. The values are
  // never persisted (the SSD tier names files by BlockFingerprint instead).
  uint64_t h = Checksum64(k.store);
  h = h * 0x9E3779B97F4A7C15ull ^ Checksum64(k.key);
  h = h * 0x9E3779B97F4A7C15ull ^ Checksum64(k.etag);
  h = h * 0x9E3779B97F4A7C15ull ^ (k.offset + (static_cast<uint64_t>(k.length) << 1));
  return static_cast<size_t>(h ^ (h >> 29));
}

}  // namespace ava::cache
