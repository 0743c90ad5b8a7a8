#include "db/open_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "common/file_util.h"
#include "test_util.h"

namespace ava::db {
namespace {

TEST(OpenStoreTest, SqliteFileUrlCreatesTheDatabaseFile) {
  ava::testing::TempDir dir;
  FakeClock clock;
  Result<std::unique_ptr<Store>> store = OpenStore("sqlite://" + dir.Sub("ava.db"), {.clock = &clock});
  ASSERT_OK(store);
  struct stat st {};
  EXPECT_EQ(::stat(dir.Sub("ava.db").c_str(), &st), 0);
  ASSERT_OK((*store)->CreateUser("alice", false));
  store->reset();
  // A second open of the same URL sees the same data.
  Result<std::unique_ptr<Store>> again = OpenStore("sqlite://" + dir.Sub("ava.db"), {.clock = &clock});
  ASSERT_OK(again);
  EXPECT_OK((*again)->GetUserByName("alice"));
}

TEST(OpenStoreTest, MemoryUrl) {
  Result<std::unique_ptr<Store>> store = OpenStore("sqlite::memory:");  // no clock: a SystemClock of its own
  ASSERT_OK(store);
  Result<User> u = (*store)->CreateUser("alice", false);
  ASSERT_OK(u);
  EXPECT_GT(u->created.count(), 0);
}

TEST(OpenStoreTest, BadUrlsAndUnopenableFiles) {
  EXPECT_STATUS(OpenStore("redis://localhost"), kInvalidArgument);
  ava::testing::TempDir dir;
  EXPECT_STATUS(OpenStore("sqlite://" + dir.Sub("no/such/dir/ava.db")), kIOError);
  ASSERT_OK(WriteFileAtomic(dir.Sub("not-a-db"), std::string(8192, 'x')));
  EXPECT_STATUS(OpenStore("sqlite://" + dir.Sub("not-a-db")), kCorruption);
}

// Nothing listens on port 1: the error says Unavailable and names the server it tried.
TEST(OpenStoreTest, UnreachablePostgresIsUnavailable) {
  Result<std::unique_ptr<Store>> store =
      OpenStore("postgres://ava:hunter2@127.0.0.1:1/ava", {.connect_timeout = std::chrono::seconds(2)});
  ASSERT_STATUS(store, kUnavailable);
  EXPECT_TRUE(store.status().retryable());
  EXPECT_NE(store.status().message().find("127.0.0.1:1/ava"), std::string::npos) << store.status();
  EXPECT_EQ(store.status().message().find("hunter2"), std::string::npos) << "the password was echoed";
}

}  // namespace
}  // namespace ava::db
