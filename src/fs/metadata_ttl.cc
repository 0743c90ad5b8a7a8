#include "fs/metadata_ttl.h"

#include <fmt/format.h>

#include "common/units.h"

namespace ava::fs {

double MetadataTtl::KernelTimeoutSeconds() const {
  if (indefinite) return 365.0 * 24 * 3600;
  return static_cast<double>(ttl.count()) / 1e9;
}

std::string MetadataTtl::ToString() const { return indefinite ? "indefinite" : FormatDuration(ttl); }

Result<MetadataTtl> MetadataTtl::Parse(std::string_view text) {
  if (text == "indefinite") return MetadataTtl{Nanos(0), true};
  if (text == "minimal") return MetadataTtl{std::chrono::seconds(1), false};
  Result<Nanos> d = ParseDuration(text);
  if (!d.ok()) {
    return Status::InvalidArgument(
        fmt::format("metadata TTL '{}' is not 'indefinite', 'minimal' or a duration like 60s", text));
  }
  return MetadataTtl{*d, false};
}

}  // namespace ava::fs
