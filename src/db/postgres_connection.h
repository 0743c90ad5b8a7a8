// PostgresConnection: one libpq connection. Statements go through PQexecParams with every value
// as a bound parameter (text format; bytea in binary), results come back in text format and are
// typed by column OID (int2/4/8 → Int, float4/8/numeric → Real, bytea → Bytes, else Text).
// Notices (e.g. "already exists, skipping") are discarded instead of printed on stderr.
//
// Error mapping (SQLSTATE → ava code) is in sql_connection.h. A lost connection (server restart,
// pg_terminate_backend, network) makes healthy() false and returns Unavailable naming the server;
// the pool then opens a new connection on the next Acquire.
//
// Thread safety: none; one thread at a time (ConnectionPool).
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "db/sql_connection.h"

struct pg_conn;

namespace ava::db {

class PostgresConnection final : public SqlConnection {
 public:
  // `conninfo` is a postgres:// URL or a libpq "key=value ..." string. Unavailable (naming host,
  // port and database, never the password) when the server cannot be reached or refuses us.
  static Result<std::unique_ptr<PostgresConnection>> Open(const std::string& conninfo, Nanos connect_timeout);
  ~PostgresConnection() override;

  Dialect dialect() const override { return Dialect::kPostgres; }
  Status ExecScript(std::string_view sql) override;
  Result<SqlResult> Query(std::string_view sql, std::span<const SqlValue> params = {}) override;
  bool healthy() const override { return healthy_; }

  // "host:port/dbname" of this connection, for messages.
  const std::string& server() const { return server_; }

 private:
  PostgresConnection(pg_conn* conn, std::string server) : conn_(conn), server_(std::move(server)) {}

  pg_conn* conn_;
  std::string server_;
  bool healthy_ = true;
};

// A libpq key=value conninfo equal to `conninfo` (URL or key=value) but naming database `dbname`.
// Tests use it to run each case in a database of its own. InvalidArgument if conninfo is malformed.
Result<std::string> PostgresConninfoWithDatabase(const std::string& conninfo, const std::string& dbname);

}  // namespace ava::db
