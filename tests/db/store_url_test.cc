#include "db/store_url.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace ava::db {
namespace {

TEST(StoreUrlTest, SqliteForms) {
  Result<StoreUrl> abs = ParseStoreUrl("sqlite:///var/lib/ava/ava.db");
  ASSERT_OK(abs);
  EXPECT_EQ(abs->kind, StoreUrl::Kind::kSqlite);
  EXPECT_EQ(abs->target, "/var/lib/ava/ava.db");
  Result<StoreUrl> rel = ParseStoreUrl("sqlite://data/ava.db");
  ASSERT_OK(rel);
  EXPECT_EQ(rel->target, "data/ava.db");
  Result<StoreUrl> mem = ParseStoreUrl("sqlite::memory:");
  ASSERT_OK(mem);
  EXPECT_EQ(mem->kind, StoreUrl::Kind::kSqlite);
  EXPECT_EQ(mem->target, ":memory:");
}

TEST(StoreUrlTest, PostgresForms) {
  for (const char* url :
       {"postgres://ava@db1:5432/ava", "postgresql://ava:secret@10.0.0.5/ava?sslmode=disable",
        "host=db1 port=5432 dbname=ava user=ava"}) {
    Result<StoreUrl> r = ParseStoreUrl(url);
    ASSERT_OK(r);
    EXPECT_EQ(r->kind, StoreUrl::Kind::kPostgres) << url;
    EXPECT_EQ(r->target, url);  // handed to libpq unchanged
  }
}

TEST(StoreUrlTest, AnythingElseIsInvalidWithTheAcceptedForms) {
  for (const char* url : {"", "mysql://root@db/ava", "sqlite://", "sqlite:ava.db", "/var/lib/ava.db",
                          "sqlite:///ava.db?mode=ro", "host=db1 port", "postgres://ava@db1:notaport/ava?x"}) {
    Result<StoreUrl> r = ParseStoreUrl(url);
    EXPECT_STATUS(r, kInvalidArgument);
    EXPECT_FALSE(r.status().message().empty()) << url;
  }
  Result<StoreUrl> mysql = ParseStoreUrl("mysql://root:hunter2@db/ava");
  EXPECT_NE(mysql.status().message().find("sqlite:///path/to/ava.db"), std::string::npos) << mysql.status();
  EXPECT_NE(mysql.status().message().find("'mysql'"), std::string::npos) << mysql.status();
  EXPECT_EQ(mysql.status().message().find("hunter2"), std::string::npos) << "a password was echoed";
}

}  // namespace
}  // namespace ava::db
