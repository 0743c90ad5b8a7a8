#include "db/sqlite_connection.h"

#include <fmt/format.h>
#include <sqlite3.h>

namespace ava::db {

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path,
                                                                 Nanos busy_timeout) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    return Status::IOError(fmt::format("cannot open SQLite database '{}': {}", path, msg));
  }
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(raw, path));
  sqlite3_extended_result_codes(raw, 1);
  int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(busy_timeout).count();
  std::string pragmas = fmt::format("PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON;", ms);
  if (path != ":memory:") pragmas += " PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;";
  AVA_RETURN_IF_ERROR(conn->ExecScript(pragmas));
  return conn;
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status SqliteConnection::Error(int rc, std::string_view what) const {
  std::string msg = fmt::format("{}: {}", what, sqlite3_errmsg(db_));
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Status::AlreadyExists(msg);
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Status::FailedPrecondition("foreign key: " + msg);
    default:
      break;
  }
  // ON DELETE RESTRICT reports a generic constraint code with this fixed message.
  if ((rc & 0xff) == SQLITE_CONSTRAINT && msg.find("FOREIGN KEY constraint failed") != std::string::npos) {
    return Status::FailedPrecondition("foreign key: " + msg);
  }
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
      return Status::InvalidArgument(msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(fmt::format("SQLite database '{}' stayed locked: {}", path_, msg));
    case SQLITE_FULL:
      return Status::NoSpace(msg);
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return Status::IOError(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(fmt::format("SQLite database '{}': {}", path_, msg));
    default:
      return Status::Internal(msg);
  }
}

Status SqliteConnection::ExecScript(std::string_view sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);  // the same text is in sqlite3_errmsg
  if (rc != SQLITE_OK) return Error(sqlite3_extended_errcode(db_), "SQLite");
  return Status::OK();
}

Result<sqlite3_stmt*> SqliteConnection::Prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                              nullptr);
  if (rc != SQLITE_OK) return Error(sqlite3_extended_errcode(db_), "SQLite prepare");
  statements_.emplace(std::string(sql), stmt);
  return stmt;
}

Result<SqlResult> SqliteConnection::Query(std::string_view sql, std::span<const SqlValue> params) {
  AVA_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
  // Leaves the cached statement ready for its next use whatever happens below.
  struct ResetOnExit {
    sqlite3_stmt* stmt;
    ~ResetOnExit() {
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
    }
  } reset{stmt};

  for (size_t i = 0; i < params.size(); ++i) {
    int index = sqlite3_bind_parameter_index(stmt, fmt::format("${}", i + 1).c_str());
    if (index == 0) continue;  // a parameter the statement does not use
    const SqlValue& v = params[i];
    int rc;
    if (v.is_null()) {
      rc = sqlite3_bind_null(stmt, index);
    } else if (v.is_int()) {
      rc = sqlite3_bind_int64(stmt, index, v.AsInt());
    } else if (v.is_real()) {
      rc = sqlite3_bind_double(stmt, index, v.AsReal());
    } else {
      std::string bytes = v.AsText();
      rc = v.is_blob()
               ? sqlite3_bind_blob64(stmt, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT)
               : sqlite3_bind_text64(stmt, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    if (rc != SQLITE_OK) return Error(rc, "SQLite bind");
  }

  SqlResult result;
  const int columns = sqlite3_column_count(stmt);
  for (;;) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return Error(sqlite3_extended_errcode(db_), "SQLite");
    SqlRow row;
    row.reserve(columns);
    for (int c = 0; c < columns; ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_INTEGER:
          row.push_back(SqlValue::Int(sqlite3_column_int64(stmt, c)));
          break;
        case SQLITE_FLOAT:
          row.push_back(SqlValue::Real(sqlite3_column_double(stmt, c)));
          break;
        case SQLITE_TEXT: {
          const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          row.push_back(SqlValue::Text(std::string(p, sqlite3_column_bytes(stmt, c))));
          break;
        }
        case SQLITE_BLOB: {
          const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, c));
          int n = sqlite3_column_bytes(stmt, c);
          row.push_back(SqlValue::Bytes(n > 0 ? std::string(p, n) : std::string()));
          break;
        }
        default:
          row.push_back(SqlValue::Null());
      }
    }
    result.rows.push_back(std::move(row));
  }
  if (!sqlite3_stmt_readonly(stmt)) result.affected = sqlite3_changes64(db_);
  return result;
}

}  // namespace ava::db
