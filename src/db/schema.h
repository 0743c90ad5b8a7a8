// Ava's control-plane schema as an ordered list of migrations (see migrator.h). Append a new
// Migration to change the schema; never edit one that has shipped. docs/db.md describes the
// tables.
#pragma once

#include <span>

#include "db/migrator.h"

namespace ava::db {

std::span<const Migration> AvaSchemaMigrations();

}  // namespace ava::db
