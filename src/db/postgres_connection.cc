#include "db/postgres_connection.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace ava::db {
namespace {

// Type OIDs from PostgreSQL's catalog/pg_type.h (stable across versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

std::string TrimMessage(const char* msg) {
  std::string s = msg != nullptr ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void IgnoreNotice(void* /*arg*/, const char* /*message*/) {}

}  // namespace

Result<std::unique_ptr<PostgresConnection>> PostgresConnection::Open(const std::string& conninfo,
                                                                     Nanos connect_timeout) {
  // connect_timeout comes first so that one written in `conninfo` overrides it; expand_dbname
  // makes libpq read `conninfo` (URL or key=value) in place of the dbname keyword.
  std::string timeout = std::to_string(
      std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(connect_timeout).count()));
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), "avad", conninfo.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Status::Unavailable("cannot connect to PostgreSQL: out of memory");
  std::string server = fmt::format("{}:{}/{}", PQhost(conn) ? PQhost(conn) : "?",
                                   PQport(conn) ? PQport(conn) : "?", PQdb(conn) ? PQdb(conn) : "?");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = TrimMessage(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::Unavailable(fmt::format("cannot connect to PostgreSQL at {}: {}", server, msg));
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  return std::unique_ptr<PostgresConnection>(new PostgresConnection(conn, std::move(server)));
}

PostgresConnection::~PostgresConnection() { PQfinish(conn_); }

namespace {

// Maps a failed result (or a null one) to a Status; marks the connection dead when it is.
Status ResultError(PGconn* conn, PGresult* res, const std::string& server, bool* healthy) {
  std::string msg = TrimMessage(res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  if (msg.empty()) msg = TrimMessage(PQerrorMessage(conn));
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string code = state != nullptr ? state : "";
  if (PQstatus(conn) == CONNECTION_BAD || code.rfind("08", 0) == 0 || code == "57P01" || code == "57P02" ||
      code == "57P03") {
    *healthy = false;
    return Status::Unavailable(fmt::format("lost connection to PostgreSQL at {}: {}", server, msg));
  }
  if (code == "23505") return Status::AlreadyExists(msg);
  if (code == "23503") return Status::FailedPrecondition("foreign key: " + msg);
  if (code.rfind("23", 0) == 0 || code.rfind("22", 0) == 0) return Status::InvalidArgument(msg);
  if (code == "40001" || code == "40P01" || code == "55P03") {
    return Status::Unavailable(fmt::format("PostgreSQL at {}: {}", server, msg));
  }
  if (code == "53100") return Status::NoSpace(msg);
  if (code.rfind("53", 0) == 0) return Status::ResourceExhausted(msg);
  if (code == "57014") return Status::DeadlineExceeded(msg);
  return Status::Internal(fmt::format("PostgreSQL {}: {}", code.empty() ? "error" : code, msg));
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

}  // namespace

Status PostgresConnection::ExecScript(std::string_view sql) {
  ResultPtr res(PQexec(conn_, std::string(sql).c_str()));
  ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    return ResultError(conn_, res.get(), server_, &healthy_);
  return Status::OK();
}

Result<SqlResult> PostgresConnection::Query(std::string_view sql, std::span<const SqlValue> params) {
  std::vector<std::string> texts(params.size());
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  std::vector<int> formats(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    if (params[i].is_null()) {
      values[i] = nullptr;
      continue;
    }
    texts[i] = params[i].AsText();
    values[i] = texts[i].c_str();
    lengths[i] = static_cast<int>(texts[i].size());
    formats[i] = params[i].is_blob() ? 1 : 0;  // bytea goes binary: no escaping, NULs allowed
  }
  ResultPtr res(PQexecParams(conn_, std::string(sql).c_str(), static_cast<int>(params.size()), nullptr,
                             values.data(), lengths.data(), formats.data(), /*resultFormat=*/0));
  ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    return ResultError(conn_, res.get(), server_, &healthy_);

  SqlResult result;
  const int rows = PQntuples(res.get());
  const int cols = PQnfields(res.get());
  result.rows.reserve(rows);
  for (int r = 0; r < rows; ++r) {
    SqlRow row;
    row.reserve(cols);
    for (int c = 0; c < cols; ++c) {
      if (PQgetisnull(res.get(), r, c)) {
        row.push_back(SqlValue::Null());
        continue;
      }
      const char* v = PQgetvalue(res.get(), r, c);
      switch (PQftype(res.get(), c)) {
        case kInt2Oid:
        case kInt4Oid:
        case kInt8Oid:
          row.push_back(SqlValue::Int(std::strtoll(v, nullptr, 10)));
          break;
        case kFloat4Oid:
        case kFloat8Oid:
        case kNumericOid:
          row.push_back(SqlValue::Real(std::strtod(v, nullptr)));
          break;
        case kBoolOid:
          row.push_back(SqlValue::Int(v[0] == 't' ? 1 : 0));
          break;
        case kByteaOid: {
          size_t n = 0;
          unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(v), &n);
          if (bytes == nullptr) return Status::Internal("PostgreSQL: cannot decode a bytea value");
          row.push_back(SqlValue::Bytes(std::string(reinterpret_cast<char*>(bytes), n)));
          PQfreemem(bytes);
          break;
        }
        default:
          row.push_back(SqlValue::Text(std::string(v, PQgetlength(res.get(), r, c))));
      }
    }
    result.rows.push_back(std::move(row));
  }
  const char* tuples = PQcmdTuples(res.get());
  if (tuples != nullptr && *tuples != '\0') result.affected = std::strtoll(tuples, nullptr, 10);
  return result;
}

Result<std::string> PostgresConninfoWithDatabase(const std::string& conninfo, const std::string& dbname) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (opts == nullptr) {
    std::string msg = TrimMessage(err);
    PQfreemem(err);
    return Status::InvalidArgument("bad PostgreSQL connection string: " + msg);
  }
  auto quote = [](const std::string& v) {
    std::string out = "'";
    for (char ch : v) {
      if (ch == '\'' || ch == '\\') out += '\\';
      out += ch;
    }
    return out + "'";
  };
  std::string out;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (std::strcmp(o->keyword, "dbname") == 0 || o->val == nullptr) continue;
    out += fmt::format("{}={} ", o->keyword, quote(o->val));
  }
  out += "dbname=" + quote(dbname);
  PQconninfoFree(opts);
  return out;
}

}  // namespace ava::db
