#include "db/postgres_store.h"

#include "db/postgres_connection.h"

namespace ava::db {

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& conninfo,
                                                           const StoreOptions& options) {
  const Nanos timeout = options.connect_timeout;
  Logger* logger = options.logger;
  auto factory = [conninfo, timeout, logger]() -> Result<std::unique_ptr<SqlConnection>> {
    Result<std::unique_ptr<PostgresConnection>> conn = PostgresConnection::Open(conninfo, timeout);
    if (!conn.ok()) {
      AVA_LOG(logger, kWarn, "db", "{}", conn.status().message());
      return conn.status();
    }
    AVA_LOG(logger, kDebug, "db", "connected to PostgreSQL at {}", (*conn)->server());
    return std::unique_ptr<SqlConnection>(std::move(conn).value());
  };
  auto pool = std::make_unique<ConnectionPool>(std::move(factory), options.max_connections);
  std::unique_ptr<PostgresStore> store(new PostgresStore(std::move(pool), options));
  AVA_RETURN_IF_ERROR(store->MigrateSchema());
  return store;
}

}  // namespace ava::db
