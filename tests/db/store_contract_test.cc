// Instantiates the Store contract suite (store_contract.h) for SQLite: a database file in a
// TempDir, and a private in-memory database. PostgreSQL: postgres/store_contract_postgres_test.cc.
#include "store_contract.h"

#include "db/sqlite_connection.h"
#include "db/sqlite_store.h"

namespace ava::db::contract {
namespace {

class SqliteFileHarness final : public StoreHarness {
 public:
  Result<std::unique_ptr<Store>> Open(const StoreOptions& options) override {
    AVA_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(path(), options));
    return std::unique_ptr<Store>(std::move(store));
  }
  Result<std::unique_ptr<SqlConnection>> Connect() override {
    AVA_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> c,
                         SqliteConnection::Open(path(), std::chrono::seconds(5)));
    return std::unique_ptr<SqlConnection>(std::move(c));
  }
  Result<std::unique_ptr<SqlConnection>> ConnectEmpty() override {
    AVA_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> c,
                         SqliteConnection::Open(dir_.Sub("empty.db"), std::chrono::seconds(5)));
    return std::unique_ptr<SqlConnection>(std::move(c));
  }
  std::vector<std::string> Files() const override { return {path(), path() + "-wal"}; }

 private:
  std::string path() const { return dir_.Sub("ava.db"); }
  ava::testing::TempDir dir_;
};

class SqliteMemoryHarness final : public StoreHarness {
 public:
  Result<std::unique_ptr<Store>> Open(const StoreOptions& options) override {
    AVA_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store,
                         SqliteStore::Open(SqliteStore::kMemory, options));
    return std::unique_ptr<Store>(std::move(store));
  }
  bool CanReopen() const override { return false; }
  Result<std::unique_ptr<SqlConnection>> Connect() override {
    return Status::NotSupported("an in-memory SQLite database is private to its one connection");
  }
  Result<std::unique_ptr<SqlConnection>> ConnectEmpty() override {
    AVA_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> c,
                         SqliteConnection::Open(SqliteStore::kMemory, std::chrono::seconds(5)));
    return std::unique_ptr<SqlConnection>(std::move(c));
  }
};

INSTANTIATE_TEST_SUITE_P(
    Sqlite, StoreContractTest,
    ::testing::Values(HarnessFactory{"SqliteFile", [] { return std::make_unique<SqliteFileHarness>(); }},
                      HarnessFactory{"SqliteMemory", [] { return std::make_unique<SqliteMemoryHarness>(); }}),
    PrintHarnessName);

}  // namespace
}  // namespace ava::db::contract
