// OpenStore: the one call avad makes to get its Store, from a URL (store_url.h lists the forms).
// The database is migrated to the current schema before the store is returned.
//
// Errors: InvalidArgument for a URL of no known form; otherwise those of SqliteStore::Open and
// PostgresStore::Open (IOError, Unavailable, FailedPrecondition for a newer schema).
// Thread safety: safe to call concurrently; the returned store is safe for concurrent use.
#pragma once

#include <memory>
#include <string_view>

#include "common/result.h"
#include "db/store.h"
#include "db/store_options.h"

namespace ava::db {

Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const StoreOptions& options = {});

}  // namespace ava::db
