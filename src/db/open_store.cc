#include "db/open_store.h"

#include "db/postgres_store.h"
#include "db/sqlite_store.h"
#include "db/store_url.h"

namespace ava::db {

Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const StoreOptions& options) {
  AVA_ASSIGN_OR_RETURN(StoreUrl parsed, ParseStoreUrl(url));
  if (parsed.kind == StoreUrl::Kind::kSqlite) {
    AVA_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(parsed.target, options));
    return std::unique_ptr<Store>(std::move(store));
  }
  AVA_ASSIGN_OR_RETURN(std::unique_ptr<PostgresStore> store, PostgresStore::Open(parsed.target, options));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace ava::db
