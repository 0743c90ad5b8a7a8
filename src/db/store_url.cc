#include "db/store_url.h"

#include <fmt/format.h>
#include <libpq-fe.h>

namespace ava::db {
namespace {

constexpr std::string_view kForms =
    "expected sqlite:///path/to/ava.db, sqlite::memory:, postgres://user@host:port/dbname or a libpq "
    "'key=value' connection string";

// libpq's own parser decides whether a PostgreSQL connection string is well formed.
Status CheckConninfo(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (opts == nullptr) {
    std::string msg = err != nullptr ? err : "out of memory";
    PQfreemem(err);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return Status::InvalidArgument("bad PostgreSQL connection string: " + msg);
  }
  PQconninfoFree(opts);
  return Status::OK();
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

Result<StoreUrl> ParseStoreUrl(std::string_view url) {
  if (url.empty()) return Status::InvalidArgument(fmt::format("empty store URL; {}", kForms));
  if (url == "sqlite::memory:") return StoreUrl{StoreUrl::Kind::kSqlite, ":memory:"};
  if (StartsWith(url, "sqlite://")) {
    std::string_view path = url.substr(std::string_view("sqlite://").size());
    if (path.empty())
      return Status::InvalidArgument(fmt::format("store URL '{}' has no file path; {}", url, kForms));
    if (path.find('?') != std::string_view::npos) {
      return Status::InvalidArgument(fmt::format("store URL '{}': SQLite URLs take no parameters", url));
    }
    return StoreUrl{StoreUrl::Kind::kSqlite, std::string(path)};
  }
  if (StartsWith(url, "postgres://") || StartsWith(url, "postgresql://")) {
    std::string conninfo(url);
    AVA_RETURN_IF_ERROR(CheckConninfo(conninfo));
    return StoreUrl{StoreUrl::Kind::kPostgres, conninfo};
  }
  const size_t scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos || StartsWith(url, "sqlite:")) {
    std::string_view scheme = url.substr(0, std::min(scheme_end, url.find(':')));
    return Status::InvalidArgument(fmt::format("unsupported store URL scheme '{}'; {}", scheme, kForms));
  }
  if (url.find('=') != std::string_view::npos) {
    std::string conninfo(url);
    AVA_RETURN_IF_ERROR(CheckConninfo(conninfo));
    return StoreUrl{StoreUrl::Kind::kPostgres, conninfo};
  }
  return Status::InvalidArgument(fmt::format("unrecognised store URL; {}", kForms));
}

}  // namespace ava::db
