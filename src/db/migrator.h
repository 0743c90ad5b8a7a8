// Versioned schema migrations. A Migration is (version, description, SQL for SQLite, SQL for
// PostgreSQL); Migrate applies the ones a database lacks, in version order, each in its own
// transaction together with its row in `schema_migrations` (version, description, applied_at_ns),
// so a failed migration leaves the database at the previous version.
//
// Opening a database whose recorded version is higher than the newest migration this binary has
// fails with FailedPrecondition: a newer Ava wrote it, and an older binary must not touch it.
// Re-running on an up-to-date database changes nothing. On PostgreSQL every migration step holds a
// transaction-scoped advisory lock, so several avad processes starting at once migrate one after
// another; on SQLite BEGIN IMMEDIATE gives the same.
//
// Thread safety: uses only the connection it is given.
#pragma once

#include <span>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "db/sql_connection.h"

namespace ava::db {

struct Migration {
  int version;  // > 0, strictly increasing along the list
  std::string_view description;
  std::string_view sqlite_sql;
  std::string_view postgres_sql;
};

// Brings the database to the newest version in `migrations` and returns that version.
// InvalidArgument if the list is not strictly increasing; FailedPrecondition for a newer database;
// the failing statement's error (annotated with the migration) otherwise.
Result<int> Migrate(SqlConnection& conn, std::span<const Migration> migrations, const Clock& clock);

// The highest applied version, 0 for a database never migrated.
Result<int> AppliedSchemaVersion(SqlConnection& conn);

}  // namespace ava::db
