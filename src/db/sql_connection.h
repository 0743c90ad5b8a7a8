// SqlConnection: the small slice of a SQL client that SqlStore needs, implemented once for SQLite
// (sqlite_connection.h) and once for PostgreSQL (postgres_connection.h). Statements use $1, $2, …
// placeholders in both dialects and values always travel as bound parameters, never spliced into
// SQL text.
//
// Errors are mapped to ava codes here, once per backend, so the store can act on them:
//   unique / primary-key violation → AlreadyExists;  foreign-key violation → FailedPrecondition
//   (message starts with "foreign key");  check / not-null violation → InvalidArgument;
//   lock timeout, serialization failure, deadlock → Unavailable, retryable (the transaction was
//   rolled back and may be run again);  lost or refused connection → Unavailable, and healthy()
//   turns false so the pool replaces the connection;  anything else → Internal / IOError.
//
// Thread safety: none. A connection is used by one thread at a time (ConnectionPool hands it out).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"

namespace ava::db {

enum class Dialect { kSqlite, kPostgres };

// A bound parameter or a result cell.
class SqlValue {
 public:
  struct Blob {
    std::string bytes;
  };
  SqlValue() = default;  // NULL
  static SqlValue Null() { return SqlValue(); }
  static SqlValue Int(int64_t v) { return SqlValue(Rep(v)); }
  static SqlValue Real(double v) { return SqlValue(Rep(v)); }
  static SqlValue Text(std::string v) { return SqlValue(Rep(std::move(v))); }
  static SqlValue Bytes(std::string v) { return SqlValue(Rep(Blob{std::move(v)})); }
  static SqlValue OptInt(const std::optional<int64_t>& v) { return v ? Int(*v) : Null(); }

  bool is_null() const { return std::holds_alternative<std::monostate>(rep_); }
  bool is_int() const { return std::holds_alternative<int64_t>(rep_); }
  bool is_real() const { return std::holds_alternative<double>(rep_); }
  bool is_text() const { return std::holds_alternative<std::string>(rep_); }
  bool is_blob() const { return std::holds_alternative<Blob>(rep_); }

  // Conversions are lenient on purpose (NULL → 0 / ""), since the schema, not the caller, decides
  // a column's type; a number stored as text still reads as a number.
  int64_t AsInt() const;
  double AsReal() const;
  std::string AsText() const;  // text, blob bytes, or a number printed
  std::optional<int64_t> AsOptInt() const {
    return is_null() ? std::nullopt : std::optional<int64_t>(AsInt());
  }

 private:
  using Rep = std::variant<std::monostate, int64_t, double, std::string, Blob>;
  explicit SqlValue(Rep rep) : rep_(std::move(rep)) {}
  Rep rep_;
};

using SqlRow = std::vector<SqlValue>;

struct SqlResult {
  std::vector<SqlRow> rows;
  int64_t affected = 0;  // rows changed by INSERT / UPDATE / DELETE
};

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  SqlConnection() = default;
  SqlConnection(const SqlConnection&) = delete;
  SqlConnection& operator=(const SqlConnection&) = delete;

  virtual Dialect dialect() const = 0;
  // One or more statements separated by ';', without parameters: migrations, BEGIN, COMMIT.
  virtual Status ExecScript(std::string_view sql) = 0;
  // One statement with $1..$n bound to `params`; the rows it returned (RETURNING / SELECT).
  virtual Result<SqlResult> Query(std::string_view sql, std::span<const SqlValue> params = {}) = 0;
  // False once the connection is known to be unusable; the pool then drops it.
  virtual bool healthy() const = 0;
};

}  // namespace ava::db
