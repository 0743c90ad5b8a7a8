#include "db/migrator.h"

#include <fmt/format.h>

namespace ava::db {
namespace {

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version BIGINT PRIMARY KEY,"
    " description TEXT NOT NULL,"
    " applied_at_ns BIGINT NOT NULL)";

// An arbitrary constant shared by every Ava process: the key of the migration advisory lock.
constexpr int64_t kPostgresMigrationLock = 0x61766164'6d696772;  // "avadmigr"

Result<int> CurrentVersion(SqlConnection& conn) {
  AVA_ASSIGN_OR_RETURN(SqlResult r, conn.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  if (r.rows.empty()) return 0;
  return static_cast<int>(r.rows[0][0].AsInt());
}

// One step inside an open transaction: applies the first pending migration. Returns the version
// the database is at afterwards, and sets *done when nothing was pending.
Result<int> Step(SqlConnection& conn, std::span<const Migration> migrations, const Clock& clock, bool* done) {
  if (conn.dialect() == Dialect::kPostgres) {
    SqlValue key = SqlValue::Int(kPostgresMigrationLock);
    AVA_RETURN_IF_ERROR(conn.Query("SELECT pg_advisory_xact_lock($1)", {&key, 1}));
  }
  AVA_RETURN_IF_ERROR(conn.ExecScript(kCreateTable));
  AVA_ASSIGN_OR_RETURN(int current, CurrentVersion(conn));
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  if (current > newest) {
    return Status::FailedPrecondition(fmt::format(
        "the database schema is at version {}, newer than version {}, the newest this binary knows: it was "
        "written by a newer Ava; refusing to use it (upgrade this binary)",
        current, newest));
  }
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    std::string_view sql = conn.dialect() == Dialect::kSqlite ? m.sqlite_sql : m.postgres_sql;
    Status s = conn.ExecScript(sql);
    if (!s.ok()) return s.Annotate(fmt::format("schema migration {} ({})", m.version, m.description));
    SqlValue params[] = {SqlValue::Int(m.version), SqlValue::Text(std::string(m.description)),
                         SqlValue::Int(clock.WallNow().count())};
    AVA_RETURN_IF_ERROR(conn.Query(
        "INSERT INTO schema_migrations (version, description, applied_at_ns) VALUES ($1, $2, $3)", params));
    return m.version;
  }
  *done = true;
  return current;
}

}  // namespace

Result<int> AppliedSchemaVersion(SqlConnection& conn) {
  AVA_RETURN_IF_ERROR(conn.ExecScript(kCreateTable));
  return CurrentVersion(conn);
}

Result<int> Migrate(SqlConnection& conn, std::span<const Migration> migrations, const Clock& clock) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version <= (i == 0 ? 0 : migrations[i - 1].version)) {
      return Status::InvalidArgument(
          fmt::format("schema migrations must have increasing positive versions; {} follows {}",
                      migrations[i].version, i == 0 ? 0 : migrations[i - 1].version));
    }
  }
  const std::string_view begin = conn.dialect() == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN";
  for (;;) {
    AVA_RETURN_IF_ERROR(conn.ExecScript(begin));
    bool done = false;
    Result<int> version = Step(conn, migrations, clock, &done);
    if (!version.ok()) {
      conn.ExecScript("ROLLBACK").IgnoreError();  // the step's error is the one to report
      return version.status();
    }
    Status commit = conn.ExecScript("COMMIT");
    if (!commit.ok()) {
      conn.ExecScript("ROLLBACK").IgnoreError();
      return commit.Annotate("committing a schema migration");
    }
    if (done) return version;
  }
}

}  // namespace ava::db
