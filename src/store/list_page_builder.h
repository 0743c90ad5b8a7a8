// ListObjectsV2 emulation for stores that keep their own keys (memory, POSIX directory): given a
// cursor over every key in byte order, builds one page with S3's semantics — prefix filter,
// delimiter folding into common prefixes, at most `max_keys` entries (objects and common prefixes
// together), and a continuation token.
//
// Tokens are the last key or common prefix returned on the page. A token whose part after the
// prefix contains the delimiter is a common prefix, and the next page starts after every key under
// it; otherwise the next page starts strictly after the token. A page is only marked truncated
// (next_token set) when at least one more entry exists, so the last page never comes back empty.
//
// Errors: InvalidArgument for max_keys outside 1..1000 or a token that does not start with the
// prefix; the cursor's errors pass through (an object that vanished between listing and Info()
// — NotFound — is skipped).
// Thread safety: BuildListPage is reentrant; cursors belong to one thread.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "store/object_store.h"

namespace ava::store {

class SortedKeyCursor {
 public:
  virtual ~SortedKeyCursor() = default;
  // Positions at the first key >= `target`.
  virtual Status Seek(std::string_view target) = 0;
  virtual bool Valid() const = 0;
  // REQUIRES: Valid().
  virtual const std::string& key() const = 0;
  virtual Status Next() = 0;
  // Size, etag and mtime of the current key.
  virtual Result<ObjectInfo> Info() = 0;
};

Status ValidateListRequest(const ListRequest& request);

Result<ListPage> BuildListPage(const ListRequest& request, SortedKeyCursor& cursor);

// The smallest string greater than every string that starts with `prefix`; "" when there is none
// (the prefix is empty or all 0xff bytes).
std::string PrefixSuccessor(std::string_view prefix);

}  // namespace ava::store
