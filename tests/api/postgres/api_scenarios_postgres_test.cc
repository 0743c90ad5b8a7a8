// The API scenarios (../api_scenarios.h) on a real PostgreSQL: the server named by AVA_PG_URL
// (scripts/postgres.sh start && eval "$(scripts/postgres.sh env)"). Each test gets a database of
// its own, dropped at the end of the run. Without AVA_PG_URL every case is skipped, saying how to
// run them.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

#include "../api_scenarios.h"
#include "db/postgres_connection.h"

namespace ava::api::testing {
namespace {

class PostgresDatabases : public ::testing::Environment {
 public:
  // A fresh database's conninfo, or "" with *skip saying why there is none.
  static std::string Create(std::string* skip) {
    const char* url = std::getenv("AVA_PG_URL");
    if (url == nullptr || *url == '\0') {
      *skip =
          "AVA_PG_URL is not set; to run the API scenarios on PostgreSQL: "
          "scripts/postgres.sh start && eval \"$(scripts/postgres.sh env)\"";
      return "";
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (admin_ == nullptr) {
      Result<std::unique_ptr<db::PostgresConnection>> c =
          db::PostgresConnection::Open(url, std::chrono::seconds(5));
      if (!c.ok()) {
        ADD_FAILURE() << "cannot reach AVA_PG_URL: " << c.status();
        return "";
      }
      admin_ = std::move(c).value();
    }
    static std::atomic<int> counter{0};
    const std::string name = fmt::format("ava_api_{}_{}", ::getpid(), counter++);
    EXPECT_OK(admin_->ExecScript(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)));
    EXPECT_OK(admin_->ExecScript(fmt::format("CREATE DATABASE {}", name)));
    created_.push_back(name);
    Result<std::string> conninfo = db::PostgresConninfoWithDatabase(url, name);
    EXPECT_OK(conninfo);
    return conninfo.ok() ? *conninfo : std::string();
  }
  void TearDown() override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& name : created_) {
      if (admin_ != nullptr)
        admin_->ExecScript(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)).IgnoreError();
    }
    admin_.reset();
  }

 private:
  static inline std::mutex mu_;
  static inline std::unique_ptr<db::PostgresConnection> admin_;
  static inline std::vector<std::string> created_;
};

const ::testing::Environment* const kDatabases = ::testing::AddGlobalTestEnvironment(new PostgresDatabases);

INSTANTIATE_TEST_SUITE_P(Postgres, ApiScenarioTest,
                         ::testing::Values(StoreBackend{"Postgres", &PostgresDatabases::Create}),
                         BackendName);

}  // namespace
}  // namespace ava::api::testing
