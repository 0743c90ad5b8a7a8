// Instantiates the Store contract suite (../store_contract.h) for a real PostgreSQL server: the
// one named by AVA_PG_URL (scripts/postgres.sh start && eval "$(scripts/postgres.sh env)"). Each
// test runs in a database of its own, created through AVA_PG_URL and dropped afterwards. Without
// AVA_PG_URL every case is skipped with a message saying how to run them.
#include <unistd.h>

#include <cstdlib>

#include "../store_contract.h"
#include "db/postgres_connection.h"
#include "db/postgres_store.h"

namespace ava::db::contract {
namespace {

class PostgresHarness final : public StoreHarness {
 public:
  ~PostgresHarness() override {
    if (admin_ == nullptr) return;
    // WITH (FORCE) ends sessions a failed test may have left behind.
    for (const std::string& db : created_) {
      admin_->ExecScript(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", db)).IgnoreError();
    }
  }

  std::string SkipReason() override {
    const char* url = std::getenv("AVA_PG_URL");
    if (url == nullptr || *url == '\0') {
      return "AVA_PG_URL is not set; to run the PostgreSQL contract tests against a real server: "
             "scripts/postgres.sh start && eval \"$(scripts/postgres.sh env)\"";
    }
    url_ = url;
    return "";
  }

  Result<std::unique_ptr<Store>> Open(const StoreOptions& options) override {
    if (conninfo_.empty()) {
      AVA_ASSIGN_OR_RETURN(conninfo_, CreateDatabase(&name_));
    }
    AVA_ASSIGN_OR_RETURN(std::unique_ptr<PostgresStore> store, PostgresStore::Open(conninfo_, options));
    return std::unique_ptr<Store>(std::move(store));
  }
  Result<std::unique_ptr<SqlConnection>> Connect() override {
    AVA_ASSIGN_OR_RETURN(std::unique_ptr<PostgresConnection> c,
                         PostgresConnection::Open(conninfo_, std::chrono::seconds(5)));
    return std::unique_ptr<SqlConnection>(std::move(c));
  }
  Result<std::unique_ptr<SqlConnection>> ConnectEmpty() override {
    AVA_ASSIGN_OR_RETURN(std::string conninfo, CreateDatabase(nullptr));
    AVA_ASSIGN_OR_RETURN(std::unique_ptr<PostgresConnection> c,
                         PostgresConnection::Open(conninfo, std::chrono::seconds(5)));
    return std::unique_ptr<SqlConnection>(std::move(c));
  }
  Status KillConnections() override {
    AVA_RETURN_IF_ERROR(Admin());
    SqlValue db = SqlValue::Text(name_);
    AVA_ASSIGN_OR_RETURN(SqlResult r, admin_->Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                                    "WHERE datname = $1 AND pid <> pg_backend_pid()",
                                                    {&db, 1}));
    if (r.rows.empty()) return Status::Internal("the store had no server session to end");
    return Status::OK();
  }

 private:
  Status Admin() {
    if (admin_ != nullptr) return Status::OK();
    AVA_ASSIGN_OR_RETURN(admin_, PostgresConnection::Open(url_, std::chrono::seconds(5)));
    return Status::OK();
  }
  // A new, empty database; returns its conninfo. Names are unique per process and test.
  Result<std::string> CreateDatabase(std::string* name_out) {
    AVA_RETURN_IF_ERROR(Admin());
    static std::atomic<int> counter{0};
    std::string name = fmt::format("ava_contract_{}_{}", ::getpid(), counter++);
    AVA_RETURN_IF_ERROR(admin_->ExecScript(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)));
    AVA_RETURN_IF_ERROR(admin_->ExecScript(fmt::format("CREATE DATABASE {}", name)));
    created_.push_back(name);
    if (name_out != nullptr) *name_out = name;
    return PostgresConninfoWithDatabase(url_, name);
  }

  std::string url_;
  std::string conninfo_;
  std::string name_;  // the test's database
  std::vector<std::string> created_;
  std::unique_ptr<PostgresConnection> admin_;  // connected to AVA_PG_URL's database
};

INSTANTIATE_TEST_SUITE_P(Postgres, StoreContractTest,
                         ::testing::Values(HarnessFactory{
                             "Postgres", [] { return std::make_unique<PostgresHarness>(); }}),
                         PrintHarnessName);

}  // namespace
}  // namespace ava::db::contract
