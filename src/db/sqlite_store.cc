#include "db/sqlite_store.h"

#include "db/sqlite_connection.h"

namespace ava::db {

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path, const StoreOptions& options) {
  if (path.empty()) return Status::InvalidArgument("SQLite database path must not be empty");
  const Nanos busy_timeout = options.busy_timeout;
  auto factory = [path, busy_timeout]() -> Result<std::unique_ptr<SqlConnection>> {
    AVA_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn, SqliteConnection::Open(path, busy_timeout));
    return std::unique_ptr<SqlConnection>(std::move(conn));
  };
  const size_t connections = path == kMemory ? 1 : options.max_connections;
  auto pool = std::make_unique<ConnectionPool>(std::move(factory), connections);
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(pool), path, options));
  AVA_RETURN_IF_ERROR(store->MigrateSchema());
  return store;
}

}  // namespace ava::db
