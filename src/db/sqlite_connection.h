// SqliteConnection: one libsqlite3 connection, with the settings Ava relies on applied at open:
// foreign keys enforced, a busy timeout (a writer waits for another instead of failing at once),
// extended result codes, and for files WAL journaling with synchronous=FULL (readers never block
// the writer; a committed transaction survives power loss). Prepared statements are cached per
// SQL text for the connection's lifetime.
//
// Parameters are written $1..$n in SQL and bound by that name. Error mapping: sql_connection.h.
//
// Thread safety: none; one thread at a time (ConnectionPool).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/clock.h"
#include "db/sql_connection.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ava::db {

class SqliteConnection final : public SqlConnection {
 public:
  // `path` is a file (created if missing) or ":memory:" (a private database that lives as long as
  // this connection). IOError naming the path when it cannot be opened.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path, Nanos busy_timeout);
  ~SqliteConnection() override;

  Dialect dialect() const override { return Dialect::kSqlite; }
  Status ExecScript(std::string_view sql) override;
  Result<SqlResult> Query(std::string_view sql, std::span<const SqlValue> params = {}) override;
  bool healthy() const override { return true; }

 private:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Result<sqlite3_stmt*> Prepare(std::string_view sql);
  Status Error(int rc, std::string_view what) const;

  sqlite3* db_;
  std::string path_;
  std::map<std::string, sqlite3_stmt*, std::less<>> statements_;  // finalized in the destructor
};

}  // namespace ava::db
