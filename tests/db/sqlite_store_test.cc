// SQLite-specific behaviour beyond the contract suite: several stores (as several avad processes
// would) sharing one file, WAL readers not blocking writers, and a writer that cannot get the lock.
#include "db/sqlite_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <map>
#include <thread>

#include "common/metrics.h"
#include "db/sqlite_connection.h"
#include "test_util.h"

namespace ava::db {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteStore> Open(Nanos busy_timeout = std::chrono::seconds(5)) {
    Result<std::unique_ptr<SqliteStore>> s =
        SqliteStore::Open(path(), {.clock = &clock_, .busy_timeout = busy_timeout, .max_attempts = 1});
    EXPECT_OK(s);
    return s.ok() ? std::move(s).value() : nullptr;
  }
  std::string path() const { return dir_.Sub("ava.db"); }

  ava::testing::TempDir dir_;
  FakeClock clock_;
};

TEST_F(SqliteStoreTest, TwoStoresOnOneFileRaceAndOneWins) {
  std::unique_ptr<SqliteStore> a = Open();
  std::unique_ptr<SqliteStore> b = Open();
  ASSERT_TRUE(a && b);
  Result<User> u = a->CreateUser("alice", false);
  ASSERT_OK(u);
  for (int round = 0; round < 5; ++round) {
    Result<Job> job = a->CreateJob({.owner_id = u->id, .name = "j", .spec_yaml = "name: j\n"});
    ASSERT_OK(job);
    std::latch start(2);
    std::atomic<int> wins{0}, refused{0};
    auto race = [&](SqliteStore* s, int64_t node) {
      start.arrive_and_wait();
      Result<Job> r = s->TransitionJob(job->id, {JobState::kQueued}, JobState::kScheduled,
                                       {.node_ids = std::vector<int64_t>{node}}, "");
      if (r.ok()) {
        ++wins;
      } else {
        EXPECT_STATUS(r, kFailedPrecondition);
        ++refused;
      }
    };
    std::thread ta(race, a.get(), 1), tb(race, b.get(), 2);
    ta.join();
    tb.join();
    EXPECT_EQ(wins.load(), 1);
    EXPECT_EQ(refused.load(), 1);
    // The other store sees the winner's change at once.
    EXPECT_EQ(b->GetJob(job->id)->state, JobState::kScheduled);
  }
}

// WAL mode: a long read transaction (a slow report, a backup) does not stop avad from writing.
TEST_F(SqliteStoreTest, AnOpenReaderDoesNotBlockWrites) {
  std::unique_ptr<SqliteStore> store = Open(std::chrono::milliseconds(200));
  ASSERT_TRUE(store);
  ASSERT_OK(store->CreateUser("alice", false));
  Result<std::unique_ptr<SqliteConnection>> reader = SqliteConnection::Open(path(), std::chrono::seconds(1));
  ASSERT_OK(reader);
  ASSERT_OK((*reader)->ExecScript("BEGIN"));
  Result<SqlResult> seen = (*reader)->Query("SELECT COUNT(*) FROM users");
  ASSERT_OK(seen);
  EXPECT_EQ(seen->rows[0][0].AsInt(), 1);

  ASSERT_OK(store->CreateUser("bob", false));
  EXPECT_EQ((*reader)->Query("SELECT COUNT(*) FROM users")->rows[0][0].AsInt(), 1);  // its snapshot
  ASSERT_OK((*reader)->ExecScript("COMMIT"));
  EXPECT_EQ((*reader)->Query("SELECT COUNT(*) FROM users")->rows[0][0].AsInt(), 2);
}

// Another process holds the write lock past busy_timeout: the write fails as Unavailable
// (retryable) naming the file, and succeeds once the lock is gone.
TEST_F(SqliteStoreTest, AWriterThatCannotGetTheLockIsUnavailable) {
  std::unique_ptr<SqliteStore> store = Open(std::chrono::milliseconds(50));
  ASSERT_TRUE(store);
  Result<std::unique_ptr<SqliteConnection>> other = SqliteConnection::Open(path(), std::chrono::seconds(1));
  ASSERT_OK(other);
  ASSERT_OK((*other)->ExecScript("BEGIN IMMEDIATE"));
  Result<User> blocked = store->CreateUser("alice", false);
  ASSERT_STATUS(blocked, kUnavailable);
  EXPECT_TRUE(blocked.status().retryable());
  EXPECT_NE(blocked.status().message().find(path()), std::string::npos) << blocked.status();
  // Reads still work while the writer holds its lock.
  EXPECT_OK(store->ListUsers({}));
  ASSERT_OK((*other)->ExecScript("ROLLBACK"));
  EXPECT_OK(store->CreateUser("alice", false));
}

// Every call is counted per operation, and errors per operation and code.
TEST_F(SqliteStoreTest, ExportsPerOperationMetrics) {
  MetricsRegistry metrics;
  Result<std::unique_ptr<SqliteStore>> store =
      SqliteStore::Open(path(), {.clock = &clock_, .metrics = &metrics});
  ASSERT_OK(store);
  ASSERT_OK((*store)->CreateUser("alice", false));
  EXPECT_STATUS((*store)->CreateUser("alice", false), kAlreadyExists);
  EXPECT_STATUS((*store)->GetJob(7), kNotFound);
  std::map<std::string, double> m = ParsePrometheusText(metrics.RenderPrometheus());
  EXPECT_EQ(m[R"(ava_db_op_seconds_count{backend="sqlite",op="CreateUser"})"], 2);
  EXPECT_EQ(m[R"(ava_db_op_errors_total{backend="sqlite",op="CreateUser",code="AlreadyExists"})"], 1);
  EXPECT_EQ(m[R"(ava_db_op_seconds_count{backend="sqlite",op="GetJob"})"], 1);
  EXPECT_EQ(m[R"(ava_db_op_errors_total{backend="sqlite",op="GetJob",code="NotFound"})"], 1);
}

}  // namespace
}  // namespace ava::db
