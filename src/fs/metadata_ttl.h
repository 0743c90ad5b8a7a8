// MetadataTtl: how long avafs trusts what it learned about names (listings, sizes, ETags, "no such
// file") before asking the store again. Presets, after mountpoint-s3's --metadata-ttl:
//   indefinite  datasets that never change: never revalidate; the kernel caches too.
//   minimal     data others change: revalidate after 1 s (enough to absorb the burst of lookups
//               one `ls -l` or `open` makes).
//   <duration>  anything in between, e.g. 60s (the default), 10m.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"

namespace ava::fs {

struct MetadataTtl {
  Nanos ttl = std::chrono::seconds(60);
  bool indefinite = false;

  bool Fresh(Nanos fetched_at, Nanos now) const { return indefinite || now - fetched_at < ttl; }
  // Seconds for the kernel's entry/attr timeouts.
  double KernelTimeoutSeconds() const;
  std::string ToString() const;

  static Result<MetadataTtl> Parse(std::string_view text);
};

}  // namespace ava::fs
