// Store URLs, as given to avad's --db flag and config:
//   sqlite:///var/lib/ava/ava.db   a SQLite file (absolute path; "sqlite://data/ava.db" is relative)
//   sqlite::memory:                a private in-memory SQLite database (tests, demos)
//   postgres://user@host:5432/ava  PostgreSQL (also postgresql://; any libpq URL parameters)
//   host=db1 port=5432 dbname=ava  PostgreSQL, as a libpq key=value connection string
// Anything else is InvalidArgument with the accepted forms. Messages never repeat a password.
//
// Thread safety: a pure function.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace ava::db {

struct StoreUrl {
  enum class Kind { kSqlite, kPostgres };
  Kind kind = Kind::kSqlite;
  // SQLite: the file path or ":memory:". PostgreSQL: the libpq connection string (URL or key=value).
  std::string target;
};

Result<StoreUrl> ParseStoreUrl(std::string_view url);

}  // namespace ava::db
