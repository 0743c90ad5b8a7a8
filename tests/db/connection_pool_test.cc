#include "db/connection_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "test_util.h"

namespace ava::db {
namespace {

// A connection that does nothing but can be told to die.
class FakeConnection final : public SqlConnection {
 public:
  explicit FakeConnection(int id) : id(id) {}
  Dialect dialect() const override { return Dialect::kSqlite; }
  Status ExecScript(std::string_view) override { return Status::OK(); }
  Result<SqlResult> Query(std::string_view, std::span<const SqlValue>) override { return SqlResult{}; }
  bool healthy() const override { return !dead; }
  const int id;
  bool dead = false;
};

struct Counter {
  std::atomic<int> opened{0};
  std::atomic<bool> fail{false};
  ConnectionPool::Factory Factory() {
    return [this]() -> Result<std::unique_ptr<SqlConnection>> {
      if (fail) return Status::Unavailable("server down");
      return std::unique_ptr<SqlConnection>(std::make_unique<FakeConnection>(++opened));
    };
  }
};

int IdOf(const ConnectionPool::Lease& lease) { return static_cast<FakeConnection&>(*lease).id; }

TEST(ConnectionPoolTest, ReusesIdleConnections) {
  Counter c;
  ConnectionPool pool(c.Factory(), 4);
  int first;
  {
    Result<ConnectionPool::Lease> a = pool.Acquire();
    ASSERT_OK(a);
    first = IdOf(*a);
  }
  Result<ConnectionPool::Lease> b = pool.Acquire();
  ASSERT_OK(b);
  EXPECT_EQ(IdOf(*b), first);
  EXPECT_EQ(c.opened.load(), 1);
  Result<ConnectionPool::Lease> second = pool.Acquire();  // the first is lent out: a new one
  ASSERT_OK(second);
  EXPECT_NE(IdOf(*second), first);
  EXPECT_EQ(c.opened.load(), 2);
}

TEST(ConnectionPoolTest, ReplacesADeadConnectionAndReportsAFailedOpen) {
  Counter c;
  ConnectionPool pool(c.Factory(), 1);
  {
    Result<ConnectionPool::Lease> a = pool.Acquire();
    ASSERT_OK(a);
    static_cast<FakeConnection&>(**a).dead = true;  // e.g. the server restarted under it
  }
  c.fail = true;
  Result<ConnectionPool::Lease> down = pool.Acquire();
  EXPECT_STATUS(down, kUnavailable);
  c.fail = false;
  Result<ConnectionPool::Lease> b = pool.Acquire();  // the failed open did not leak a slot
  ASSERT_OK(b);
  EXPECT_EQ(IdOf(*b), 2);
}

TEST(ConnectionPoolTest, NeverOpensMoreThanTheLimit) {
  Counter c;
  ConnectionPool pool(c.Factory(), 2);
  std::atomic<int> in_use{0}, most{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        Result<ConnectionPool::Lease> l = pool.Acquire();
        ASSERT_OK(l);
        int now = ++in_use;
        int prev = most.load();
        while (now > prev && !most.compare_exchange_weak(prev, now)) {
        }
        std::this_thread::yield();
        --in_use;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(most.load(), 2);
  EXPECT_LE(c.opened.load(), 2);
}

}  // namespace
}  // namespace ava::db
