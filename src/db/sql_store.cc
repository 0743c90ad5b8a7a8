#include "db/sql_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <type_traits>
#include <utility>

#include "db/migrator.h"
#include "db/schema.h"
#include "db/token_secret.h"

namespace ava::db {
namespace {

using Params = std::vector<SqlValue>;

// last_used is rewritten at most this often, so authenticating is a read most of the time.
constexpr Nanos kLastUsedGranularity = std::chrono::minutes(1);
constexpr size_t kMaxNameBytes = 255;

constexpr std::string_view kUserCols = "id, name, is_admin, created_ns";
constexpr std::string_view kGroupCols = "id, name, created_ns";
constexpr std::string_view kTokenCols = "id, user_id, name, sha256, created_ns, last_used_ns, expires_ns";
constexpr std::string_view kNodeCols = "id, name, address, inventory, state, registered_ns, heartbeat_ns";
constexpr std::string_view kJobCols =
    "id, owner_id, group_id, name, kind, spec_yaml, priority, gpus, gpu_model, gang_size, cpus, "
    "memory_bytes, max_runtime_ns, state, assignment, exit_code, reason, report, submitted_ns, "
    "scheduled_ns, started_ns, finished_ns";
constexpr std::string_view kEventCols = "id, job_id, node_id, time_ns, type, message";

Result<SqlResult> Q(SqlConnection& c, std::string_view sql, const Params& params = {}) {
  return c.Query(sql, params);
}

std::optional<Nanos> OptNanos(const SqlValue& v) {
  if (v.is_null()) return std::nullopt;
  return Nanos(v.AsInt());
}

SqlValue OptNanosValue(const std::optional<Nanos>& t) {
  return t ? SqlValue::Int(t->count()) : SqlValue::Null();
}

// An enum column that does not parse means the database was written by something else.
template <typename T>
Result<T> Column(Result<T> parsed, std::string_view table) {
  if (!parsed.ok()) return Status::Corruption(fmt::format("{} row: {}", table, parsed.status().message()));
  return parsed;
}

User UserFromRow(const SqlRow& r) {
  return User{.id = r[0].AsInt(),
              .name = r[1].AsText(),
              .is_admin = r[2].AsInt() != 0,
              .created = Nanos(r[3].AsInt())};
}

Group GroupFromRow(const SqlRow& r) {
  return Group{.id = r[0].AsInt(), .name = r[1].AsText(), .created = Nanos(r[2].AsInt())};
}

Token TokenFromRow(const SqlRow& r) {
  return Token{.id = r[0].AsInt(),
               .user_id = r[1].AsInt(),
               .name = r[2].AsText(),
               .sha256_hex = r[3].AsText(),
               .created = Nanos(r[4].AsInt()),
               .last_used = OptNanos(r[5]),
               .expires = OptNanos(r[6])};
}

Result<Node> NodeFromRow(const SqlRow& r) {
  AVA_ASSIGN_OR_RETURN(NodeState state, Column(ParseNodeState(r[4].AsText()), "nodes"));
  return Node{.id = r[0].AsInt(),
              .name = r[1].AsText(),
              .address = r[2].AsText(),
              .inventory_json = r[3].AsText(),
              .state = state,
              .registered = Nanos(r[5].AsInt()),
              .last_heartbeat = OptNanos(r[6])};
}

Result<Job> JobFromRow(const SqlRow& r) {
  Job j;
  j.id = r[0].AsInt();
  j.owner_id = r[1].AsInt();
  j.group_id = r[2].AsOptInt();
  j.name = r[3].AsText();
  AVA_ASSIGN_OR_RETURN(j.kind, Column(ParseJobKind(r[4].AsText()), "jobs"));
  j.spec_yaml = r[5].AsText();
  j.priority = r[6].AsInt();
  j.gpus = r[7].AsReal();
  j.gpu_model = r[8].AsText();
  j.gang_size = r[9].AsInt();
  j.cpus = r[10].AsReal();
  j.memory_bytes = r[11].AsInt();
  j.max_runtime = Nanos(r[12].AsInt());
  AVA_ASSIGN_OR_RETURN(j.state, Column(ParseJobState(r[13].AsText()), "jobs"));
  j.assignment_json = r[14].AsText();
  j.exit_code = r[15].AsOptInt();
  j.reason = r[16].AsText();
  j.report_json = r[17].AsText();
  j.submitted = Nanos(r[18].AsInt());
  j.scheduled = OptNanos(r[19]);
  j.started = OptNanos(r[20]);
  j.finished = OptNanos(r[21]);
  return j;
}

Event EventFromRow(const SqlRow& r) {
  return Event{.id = r[0].AsInt(),
               .job_id = r[1].AsOptInt(),
               .node_id = r[2].AsOptInt(),
               .time = Nanos(r[3].AsInt()),
               .type = r[4].AsText(),
               .message = r[5].AsText()};
}

Status CheckName(std::string_view what, std::string_view name) {
  if (name.empty()) return Status::InvalidArgument(fmt::format("{} name must not be empty", what));
  if (name.size() > kMaxNameBytes) {
    return Status::InvalidArgument(
        fmt::format("{} name is {} bytes; at most {} allowed", what, name.size(), kMaxNameBytes));
  }
  for (unsigned char ch : name) {
    if (ch < 0x20 || ch == 0x7f) {
      return Status::InvalidArgument(fmt::format("{} name contains a control character", what));
    }
  }
  return Status::OK();
}

// Empty means "none"; anything else must parse as JSON.
Status CheckJson(std::string_view what, std::string_view text) {
  if (text.empty() || nlohmann::json::accept(text)) return Status::OK();
  return Status::InvalidArgument(fmt::format("{} is not valid JSON", what));
}

Status CheckPage(const Page& page) {
  if (page.limit < 1 || page.limit > Page::kMaxLimit) {
    return Status::InvalidArgument(
        fmt::format("page limit {} is out of range (1..{})", page.limit, Page::kMaxLimit));
  }
  if (page.after_id < 0) return Status::InvalidArgument("page after_id must not be negative");
  return Status::OK();
}

// "$3, $4, $5" for `count` parameters starting at `first`.
std::string Placeholders(size_t first, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) out += ", ";
    out += fmt::format("${}", first + i);
  }
  return out;
}

std::string StateList(const std::vector<JobState>& states) {
  std::string out;
  for (size_t i = 0; i < states.size(); ++i) {
    if (i > 0) out += i + 1 == states.size() ? " or " : ", ";
    out += Name(states[i]);
  }
  return out;
}

Status RequireExists(SqlConnection& c, std::string_view table, std::string_view what, int64_t id) {
  AVA_ASSIGN_OR_RETURN(SqlResult r,
                       Q(c, fmt::format("SELECT 1 FROM {} WHERE id = $1", table), {SqlValue::Int(id)}));
  if (r.rows.empty()) return Status::NotFound(fmt::format("{} {} not found", what, id));
  return Status::OK();
}

Result<Event> InsertEvent(SqlConnection& c, const NewEvent& e, Nanos now) {
  AVA_ASSIGN_OR_RETURN(
      SqlResult r,
      Q(c,
        fmt::format(
            "INSERT INTO events (job_id, node_id, time_ns, type, message) VALUES ($1, $2, $3, $4, $5) "
            "RETURNING {}",
            kEventCols),
        {SqlValue::OptInt(e.job_id), SqlValue::OptInt(e.node_id), SqlValue::Int(now.count()),
         SqlValue::Text(e.type), SqlValue::Text(e.message)}));
  return EventFromRow(r.rows.at(0));
}

// Loads node_ids for the given jobs from job_nodes.
Status FillNodeIds(SqlConnection& c, std::vector<Job>* jobs) {
  if (jobs->empty()) return Status::OK();
  Params ids;
  for (const Job& j : *jobs) ids.push_back(SqlValue::Int(j.id));
  AVA_ASSIGN_OR_RETURN(
      SqlResult r,
      Q(c,
        fmt::format("SELECT job_id, node_id FROM job_nodes WHERE job_id IN ({}) ORDER BY job_id, rank",
                    Placeholders(1, ids.size())),
        ids));
  for (const SqlRow& row : r.rows) {
    int64_t job_id = row[0].AsInt();
    auto it = std::find_if(jobs->begin(), jobs->end(), [&](const Job& j) { return j.id == job_id; });
    if (it != jobs->end()) it->node_ids.push_back(row[1].AsInt());
  }
  return Status::OK();
}

Result<Job> LoadJob(SqlConnection& c, int64_t id) {
  AVA_ASSIGN_OR_RETURN(SqlResult r,
                       Q(c, fmt::format("SELECT {} FROM jobs WHERE id = $1", kJobCols), {SqlValue::Int(id)}));
  if (r.rows.empty()) return Status::NotFound(fmt::format("job {} not found", id));
  AVA_ASSIGN_OR_RETURN(Job job, JobFromRow(r.rows[0]));
  std::vector<Job> one{std::move(job)};
  AVA_RETURN_IF_ERROR(FillNodeIds(c, &one));
  return std::move(one[0]);
}

}  // namespace

SqlStore::SqlStore(std::unique_ptr<ConnectionPool> pool, Dialect dialect, const StoreOptions& options)
    : pool_(std::move(pool)), dialect_(dialect), options_(options), clock_(options.clock) {
  if (clock_ == nullptr) {
    own_clock_ = std::make_unique<SystemClock>();
    clock_ = own_clock_.get();
  }
  if (options_.max_attempts < 1) options_.max_attempts = 1;
}

SqlStore::~SqlStore() = default;

template <typename Fn>
auto SqlStore::Transact(TxKind kind, std::string_view op, Fn&& fn)
    -> decltype(fn(std::declval<SqlConnection&>())) {
  const Nanos start = clock_->Now();
  auto result = RunTransaction(kind, fn);
  Record(op, clock_->Now() - start, internal::ToStatus(result));
  return result;
}

void SqlStore::Record(std::string_view op, Nanos elapsed, const Status& status) {
  if (options_.metrics == nullptr) return;
  const std::string backend = dialect_ == Dialect::kSqlite ? "sqlite" : "postgres";
  options_.metrics
      ->GetHistogram("ava_db_op_seconds",
                     "Store calls by operation: latency of the whole transaction, retries included",
                     {{"backend", backend}, {"op", std::string(op)}})
      .Observe(std::chrono::duration<double>(elapsed).count());
  if (!status.ok()) {
    options_.metrics
        ->GetCounter(
            "ava_db_op_errors_total", "Store calls that returned an error, by operation and code",
            {{"backend", backend}, {"op", std::string(op)}, {"code", std::string(CodeName(status.code()))}})
        .Inc();
  }
}

template <typename Fn>
auto SqlStore::RunTransaction(TxKind kind, Fn& fn) -> decltype(fn(std::declval<SqlConnection&>())) {
  using R = decltype(fn(std::declval<SqlConnection&>()));
  const std::string_view begin =
      kind == TxKind::kWrite && dialect_ == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN";
  int attempts = 0;
  // Idle pooled connections may all have died together (server restart); finding one dead at
  // BEGIN costs no attempt, up to the pool's size.
  size_t stale = 0;
  auto again = [&](const Status& s, bool dead_at_begin) {
    if (dead_at_begin && stale++ < options_.max_connections) return true;
    if (!s.retryable() || ++attempts >= options_.max_attempts) return false;
    AVA_LOG(options_.logger, kWarn, "db", "retrying a transaction (attempt {}): {}", attempts + 1,
            s.ToString());
    return true;
  };
  for (;;) {
    Result<ConnectionPool::Lease> lease = pool_->Acquire();
    if (!lease.ok()) return lease.status();
    SqlConnection& c = **lease;
    if (Status s = c.ExecScript(begin); !s.ok()) {
      if (again(s, !c.healthy())) continue;
      return s;
    }
    R result = fn(c);
    if (!result.ok()) {
      if (c.healthy()) c.ExecScript("ROLLBACK").IgnoreError();  // the statement's error is the one to report
      // Nothing was committed, so running the whole transaction again is safe.
      if (again(internal::ToStatus(result), false)) continue;
      return result;
    }
    if (Status s = c.ExecScript("COMMIT"); !s.ok()) {
      if (!c.healthy()) {
        return Status::Unavailable(fmt::format(
            "the connection was lost while committing; the change may or may not have been applied ({})",
            s.message()));
      }
      c.ExecScript("ROLLBACK").IgnoreError();
      if (again(s, false)) continue;
      return s;
    }
    return result;
  }
}

Status SqlStore::MigrateSchema() {
  AVA_ASSIGN_OR_RETURN(ConnectionPool::Lease lease, pool_->Acquire());
  Result<int> version = Migrate(*lease, AvaSchemaMigrations(), *clock_);
  if (!version.ok()) return version.status();
  AVA_LOG(options_.logger, kInfo, "db", "schema at version {}", *version);
  return Status::OK();
}

Result<int> SqlStore::SchemaVersion() {
  return Transact(TxKind::kRead, __func__, [&](SqlConnection& c) { return AppliedSchemaVersion(c); });
}

// ---------------------------------------------------------------- users

Result<User> SqlStore::CreateUser(std::string_view name, bool is_admin) {
  AVA_RETURN_IF_ERROR(CheckName("user", name));
  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Result<User> {
    Result<SqlResult> r =
        Q(c,
          fmt::format("INSERT INTO users (name, is_admin, created_ns) VALUES ($1, $2, $3) RETURNING {}",
                      kUserCols),
          {SqlValue::Text(std::string(name)), SqlValue::Int(is_admin ? 1 : 0),
           SqlValue::Int(clock_->WallNow().count())});
    if (r.status().code() == Code::kAlreadyExists) {
      return Status::AlreadyExists(fmt::format("user '{}' already exists", name));
    }
    if (!r.ok()) return r.status();
    return UserFromRow(r->rows.at(0));
  });
}

Result<User> SqlStore::GetUser(int64_t id) {
  return Transact(TxKind::kRead, __func__, [&](SqlConnection& c) -> Result<User> {
    AVA_ASSIGN_OR_RETURN(
        SqlResult r, Q(c, fmt::format("SELECT {} FROM users WHERE id = $1", kUserCols), {SqlValue::Int(id)}));
    if (r.rows.empty()) return Status::NotFound(fmt::format("user {} not found", id));
    return UserFromRow(r.rows[0]);
  });
}

Result<User> SqlStore::GetUserByName(std::string_view name) {
  return Transact(TxKind::kRead, __func__, [&](SqlConnection& c) -> Result<User> {
    AVA_ASSIGN_OR_RETURN(SqlResult r, Q(c, fmt::format("SELECT {} FROM users WHERE name = $1", kUserCols),
                                        {SqlValue::Text(std::string(name))}));
    if (r.rows.empty()) return Status::NotFound(fmt::format("user '{}' not found", name));
    return UserFromRow(r.rows[0]);
  });
}

Result<std::vector<User>> SqlStore::ListUsers(const Page& page) {
  AVA_RETURN_IF_ERROR(CheckPage(page));
  return Transact(TxKind::kRead, __func__, [&](SqlConnection& c) -> Result<std::vector<User>> {
    AVA_ASSIGN_OR_RETURN(
        SqlResult r, Q(c, fmt::format("SELECT {} FROM users WHERE id > $1 ORDER BY id LIMIT $2", kUserCols),
                       {SqlValue::Int(page.after_id), SqlValue::Int(page.limit)}));
    std::vector<User> out;
    for (const SqlRow& row : r.rows) out.push_back(UserFromRow(row));
    return out;
  });
}

Status SqlStore::SetUserAdmin(int64_t id, bool is_admin) {
  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Status {
    AVA_ASSIGN_OR_RETURN(SqlResult r, Q(c, "UPDATE users SET is_admin = $1 WHERE id = $2",
                                        {SqlValue::Int(is_admin ? 1 : 0), SqlValue::Int(id)}));
    if (r.affected == 0) return Status::NotFound(fmt::format("user {} not found", id));
    return Status::OK();
  });
}

Status SqlStore::DeleteUser(int64_t id) {
  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Status {
    Result<SqlResult> r = Q(c, "DELETE FROM users WHERE id = $1", {SqlValue::Int(id)});
    if (r.status().code() == Code::kFailedPrecondition) {
      return Status::FailedPrecondition(fmt::format("user {} still owns jobs; jobs keep their owner", id));
    }
    if (!r.ok()) return r.status();
    if (r->affected == 0) return Status::NotFound(fmt::format("user {} not found", id));
    return Status::OK();
  });
}

// ---------------------------------------------------------------- groups

Result<Group> SqlStore::CreateGroup(std::string_view name) {
  AVA_RETURN_IF_ERROR(CheckName("group", name));
  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Result<Group> {
    Result<SqlResult> r =
        Q(c, fmt::format("INSERT INTO groups (name, created_ns) VALUES ($1, $2) RETURNING {}", kGroupCols),
          {SqlValue::Text(std::string(name)), SqlValue::Int(clock_->WallNow().count())});
    if (r.status().code() == Code::kAlreadyExists) {
      return Status::AlreadyExists(fmt::format("group '{}' already exists", name));
    }
    if (!r.ok()) return r.status();
    return GroupFromRow(r->rows.at(0));
  });
}

Result<Group> SqlStore::GetGroup(int64_t id) {
  return Transact(TxKind::kRead, __func__, [&](SqlConnection& c) -> Result<Group> {
    AVA_ASSIGN_OR_RETURN(SqlResult r, Q(c, fmt::format("SELECT {} FROM groups WHERE id = $1", kGroupCols),
                                        {SqlValue::Int(id)}));
    if (r.rows.empty()) return Status::NotFound(fmt::format("group {} not found", id));
    return GroupFromRow(r.rows[0]);
  });
}

Result<Group> SqlStore::GetGroupByName(std::string_view name) {
  return Transact(TxKind::kRead, __func__, [&](SqlConnection& c) -> Result<Group> {
    AVA_ASSIGN_OR_RETURN(SqlResult r, Q(c, fmt::format("SELECT {} FROM groups WHERE name = $1", kGroupCols),
                                        {SqlValue::Text(std::string(name))}));
    if (r.rows.empty()) return Status::NotFound(fmt::format("group '{}' not found", name));
    return GroupFromRow(r.rows[0]);
  });
}

Result<std::vector<Group>> SqlStore::ListGroups(const Page& page) {
  AVA_RETURN_IF_ERROR(CheckPage(page));
  return Transact(TxKind::kRead, __func__, [&](SqlConnection& c) -> Result<std::vector<Group>> {
    AVA_ASSIGN_OR_RETURN(
        SqlResult r, Q(c, fmt::format("SELECT {} FROM groups WHERE id > $1 ORDER BY id LIMIT $2", kGroupCols),
                       {SqlValue::Int(page.after_id), SqlValue::Int(page.limit)}));
    std::vector<Group> out;
    for (const SqlRow& row : r.rows) out.push_back(GroupFromRow(row));
    return out;
  });
}

Status SqlStore::DeleteGroup(int64_t id) {
  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Status {
    AVA_ASSIGN_OR_RETURN(SqlResult r, Q(c, "DELETE FROM groups WHERE id = $1", {SqlValue::Int(id)}));
    if (r.affected == 0) return Status::NotFound(fmt::format("group {} not found", id));
    return Status::OK();
  });
}

Status SqlStore::AddMember(int64_t group_id, int64_t user_id, Role role) {
  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Status {
    AVA_RETURN_IF_ERROR(RequireExists(c, "groups", "group", group_id));
    AVA_RETURN_IF_ERROR(RequireExists(c, "users", "user", user_id));
    Result<SqlResult> r =
        Q(c, "INSERT INTO memberships (group_id, user_id, role) VALUES ($1, $2, $3)",
          {SqlValue::Int(group_id), SqlValue::Int(user_id), SqlValue::Text(std::string(Name(role)))});
    if (r.status().code() == Code::kAlreadyExists) {
      return Status::AlreadyExists(fmt::format("user {} is already a member of group {}", user_id, group_id));
    }
    return r.status();
  });
}

Status SqlStore::SetMemberRole(int64_t group_id, int64_t user_id, Role role) {
  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Status {
    AVA_ASSIGN_OR_RETURN(
        SqlResult r,
        Q(c, "UPDATE memberships SET role = $1 WHERE group_id = $2 AND user_id = $3",
          {SqlValue::Text(std::string(Name(role))), SqlValue::Int(group_id), SqlValue::Int(user_id)}));
    if (r.affected == 0) {
      return Status::NotFound(fmt::format("user {} is not a member of group {}", user_id, group_id));
    }
    return Status::OK();
  });
}

Status SqlStore::RemoveMember(int64_t group_id, int64_t user_id) {
  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Status {
    AVA_ASSIGN_OR_RETURN(SqlResult r, Q(c, "DELETE FROM memberships WHERE group_id = $1 AND user_id = $2",
                                        {SqlValue::Int(group_id), SqlValue::Int(user_id)}));
    if (r.affected == 0) {
      return Status::NotFound(fmt::format("user {} is not a member of group {}", user_id, group_id));
    }
    return Status::OK();
  });
}

namespace {
Result<std::vector<Membership>> MembershipsFrom(const SqlResult& r) {
  std::vector<Membership> out;
  for (const SqlRow& row : r.rows) {
    AVA_ASSIGN_OR_RETURN(Role role, Column(ParseRole(row[2].AsText()), "memberships"));
    out.push_back(Membership{.group_id = row[0].AsInt(), .user_id = row[1].AsInt(), .role = role});
  }
  return out;
}
}  // namespace

Result<std::vector<Membership>> SqlStore::ListMembers(int64_t group_id) {
  return Transact(TxKind::kRead, __func__, [&](SqlConnection& c) -> Result<std::vector<Membership>> {
    AVA_RETURN_IF_ERROR(RequireExists(c, "groups", "group", group_id));
    AVA_ASSIGN_OR_RETURN(
        SqlResult r,
        Q(c, "SELECT group_id, user_id, role FROM memberships WHERE group_id = $1 ORDER BY user_id",
          {SqlValue::Int(group_id)}));
    return MembershipsFrom(r);
  });
}

Result<std::vector<Membership>> SqlStore::ListUserGroups(int64_t user_id) {
  return Transact(TxKind::kRead, __func__, [&](SqlConnection& c) -> Result<std::vector<Membership>> {
    AVA_RETURN_IF_ERROR(RequireExists(c, "users", "user", user_id));
    AVA_ASSIGN_OR_RETURN(
        SqlResult r,
        Q(c, "SELECT group_id, user_id, role FROM memberships WHERE user_id = $1 ORDER BY group_id",
          {SqlValue::Int(user_id)}));
    return MembershipsFrom(r);
  });
}

// ---------------------------------------------------------------- tokens

Result<IssuedToken> SqlStore::CreateToken(int64_t user_id, std::string_view name,
                                          std::optional<Nanos> expires) {
  AVA_ASSIGN_OR_RETURN(std::string secret, NewTokenSecret());
  const std::string hash = TokenSha256Hex(secret);
  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Result<IssuedToken> {
    AVA_RETURN_IF_ERROR(RequireExists(c, "users", "user", user_id));
    AVA_ASSIGN_OR_RETURN(SqlResult r,
                         Q(c,
                           fmt::format("INSERT INTO tokens (user_id, name, sha256, created_ns, expires_ns) "
                                       "VALUES ($1, $2, $3, $4, $5) RETURNING {}",
                                       kTokenCols),
                           {SqlValue::Int(user_id), SqlValue::Text(std::string(name)), SqlValue::Text(hash),
                            SqlValue::Int(clock_->WallNow().count()), OptNanosValue(expires)}));
    return IssuedToken{.token = TokenFromRow(r.rows.at(0)), .secret = secret};
  });
}

Result<User> SqlStore::FindUserByToken(std::string_view secret) {
  if (secret.empty()) return Status::Unauthenticated("no token given");
  const std::string hash = TokenSha256Hex(secret);
  const Nanos now = clock_->WallNow();
  struct Found {
    User user;
    int64_t token_id;
    bool touch;
  };
  AVA_ASSIGN_OR_RETURN(
      Found found, Transact(TxKind::kRead, __func__, [&](SqlConnection& c) -> Result<Found> {
        AVA_ASSIGN_OR_RETURN(
            SqlResult r,
            Q(c,
              "SELECT u.id, u.name, u.is_admin, u.created_ns, t.id, t.expires_ns, t.last_used_ns "
              "FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.sha256 = $1",
              {SqlValue::Text(hash)}));
        // The same answer for unknown and expired tokens would hide which secrets exist; but an
        // expired one is the owner's own secret, and saying so saves them a support call.
        if (r.rows.empty()) return Status::Unauthenticated("invalid token");
        const SqlRow& row = r.rows[0];
        std::optional<Nanos> expires = OptNanos(row[5]);
        if (expires && *expires <= now) return Status::Unauthenticated("token expired");
        std::optional<Nanos> last_used = OptNanos(row[6]);
        return Found{.user = UserFromRow(row),
                     .token_id = row[4].AsInt(),
                     .touch = !last_used || now - *last_used >= kLastUsedGranularity};
      }));
  if (found.touch) {
    AVA_RETURN_IF_ERROR(Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Status {
      return Q(c, "UPDATE tokens SET last_used_ns = $1 WHERE id = $2",
               {SqlValue::Int(now.count()), SqlValue::Int(found.token_id)})
          .status();
    }));
  }
  return found.user;
}

Result<std::vector<Token>> SqlStore::ListTokens(int64_t user_id) {
  return Transact(TxKind::kRead, __func__, [&](SqlConnection& c) -> Result<std::vector<Token>> {
    AVA_RETURN_IF_ERROR(RequireExists(c, "users", "user", user_id));
    AVA_ASSIGN_OR_RETURN(SqlResult r,
                         Q(c, fmt::format("SELECT {} FROM tokens WHERE user_id = $1 ORDER BY id", kTokenCols),
                           {SqlValue::Int(user_id)}));
    std::vector<Token> out;
    for (const SqlRow& row : r.rows) out.push_back(TokenFromRow(row));
    return out;
  });
}

Status SqlStore::RevokeToken(int64_t token_id) {
  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Status {
    AVA_ASSIGN_OR_RETURN(SqlResult r, Q(c, "DELETE FROM tokens WHERE id = $1", {SqlValue::Int(token_id)}));
    if (r.affected == 0) return Status::NotFound(fmt::format("token {} not found", token_id));
    return Status::OK();
  });
}

// ---------------------------------------------------------------- nodes

Result<Node> SqlStore::RegisterNode(std::string_view name, std::string_view address,
                                    std::string_view inventory_json) {
  AVA_RETURN_IF_ERROR(CheckName("node", name));
  AVA_RETURN_IF_ERROR(CheckJson(fmt::format("inventory of node '{}'", name), inventory_json));
  const Nanos now = clock_->WallNow();
  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Result<Node> {
    AVA_ASSIGN_OR_RETURN(
        SqlResult r,
        Q(c,
          fmt::format(
              "INSERT INTO nodes (name, address, inventory, state, registered_ns, heartbeat_ns) "
              "VALUES ($1, $2, $3, 'up', $4, $4) "
              "ON CONFLICT (name) DO UPDATE SET address = excluded.address, inventory = excluded.inventory, "
              "heartbeat_ns = excluded.heartbeat_ns, "
              "state = CASE WHEN nodes.state = 'down' THEN 'up' ELSE nodes.state END "
              "RETURNING {}",
              kNodeCols),
          {SqlValue::Text(std::string(name)), SqlValue::Text(std::string(address)),
           SqlValue::Text(std::string(inventory_json)), SqlValue::Int(now.count())}));
    AVA_ASSIGN_OR_RETURN(Node node, NodeFromRow(r.rows.at(0)));
    AVA_RETURN_IF_ERROR(
        InsertEvent(c,
                    NewEvent{.node_id = node.id,
                             .type = "node.registered",
                             .message = fmt::format("agent at {}; node is {}", address, Name(node.state))},
                    now));
    return node;
  });
}

Result<Node> SqlStore::GetNode(int64_t id) {
  return Transact(TxKind::kRead, __func__, [&](SqlConnection& c) -> Result<Node> {
    AVA_ASSIGN_OR_RETURN(
        SqlResult r, Q(c, fmt::format("SELECT {} FROM nodes WHERE id = $1", kNodeCols), {SqlValue::Int(id)}));
    if (r.rows.empty()) return Status::NotFound(fmt::format("node {} not found", id));
    return NodeFromRow(r.rows[0]);
  });
}

Result<Node> SqlStore::GetNodeByName(std::string_view name) {
  return Transact(TxKind::kRead, __func__, [&](SqlConnection& c) -> Result<Node> {
    AVA_ASSIGN_OR_RETURN(SqlResult r, Q(c, fmt::format("SELECT {} FROM nodes WHERE name = $1", kNodeCols),
                                        {SqlValue::Text(std::string(name))}));
    if (r.rows.empty()) return Status::NotFound(fmt::format("node '{}' not found", name));
    return NodeFromRow(r.rows[0]);
  });
}

Result<std::vector<Node>> SqlStore::ListNodes(const Page& page) {
  AVA_RETURN_IF_ERROR(CheckPage(page));
  return Transact(TxKind::kRead, __func__, [&](SqlConnection& c) -> Result<std::vector<Node>> {
    AVA_ASSIGN_OR_RETURN(
        SqlResult r, Q(c, fmt::format("SELECT {} FROM nodes WHERE id > $1 ORDER BY id LIMIT $2", kNodeCols),
                       {SqlValue::Int(page.after_id), SqlValue::Int(page.limit)}));
    std::vector<Node> out;
    for (const SqlRow& row : r.rows) {
      AVA_ASSIGN_OR_RETURN(Node node, NodeFromRow(row));
      out.push_back(std::move(node));
    }
    return out;
  });
}

Status SqlStore::Heartbeat(int64_t node_id) {
  const Nanos now = clock_->WallNow();
  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Status {
    AVA_ASSIGN_OR_RETURN(SqlResult before,
                         Q(c, "SELECT state FROM nodes WHERE id = $1", {SqlValue::Int(node_id)}));
    if (before.rows.empty()) return Status::NotFound(fmt::format("node {} not found", node_id));
    const bool was_down = before.rows[0][0].AsText() == Name(NodeState::kDown);
    AVA_RETURN_IF_ERROR(Q(c,
                          "UPDATE nodes SET heartbeat_ns = $1, "
                          "state = CASE WHEN state = 'down' THEN 'up' ELSE state END WHERE id = $2",
                          {SqlValue::Int(now.count()), SqlValue::Int(node_id)}));
    if (was_down) {
      AVA_RETURN_IF_ERROR(InsertEvent(
          c, NewEvent{.node_id = node_id, .type = "node.up", .message = "heartbeats resumed"}, now));
    }
    return Status::OK();
  });
}

Result<Node> SqlStore::SetNodeState(int64_t node_id, NodeState state, std::string_view message) {
  const Nanos now = clock_->WallNow();
  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Result<Node> {
    AVA_ASSIGN_OR_RETURN(
        SqlResult r, Q(c, fmt::format("UPDATE nodes SET state = $1 WHERE id = $2 RETURNING {}", kNodeCols),
                       {SqlValue::Text(std::string(Name(state))), SqlValue::Int(node_id)}));
    if (r.rows.empty()) return Status::NotFound(fmt::format("node {} not found", node_id));
    AVA_ASSIGN_OR_RETURN(Node node, NodeFromRow(r.rows[0]));
    AVA_RETURN_IF_ERROR(InsertEvent(
        c,
        NewEvent{
            .node_id = node_id, .type = fmt::format("node.{}", Name(state)), .message = std::string(message)},
        now));
    return node;
  });
}

Status SqlStore::DeleteNode(int64_t node_id) {
  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Status {
    AVA_ASSIGN_OR_RETURN(SqlResult r, Q(c, "DELETE FROM nodes WHERE id = $1", {SqlValue::Int(node_id)}));
    if (r.affected == 0) return Status::NotFound(fmt::format("node {} not found", node_id));
    return Status::OK();
  });
}

// ---------------------------------------------------------------- quotas

Status SqlStore::SetQuota(const Quota& quota) {
  if (quota.max_gpus < 0) {
    return Status::InvalidArgument(
        fmt::format("quota max_gpus must not be negative (got {})", quota.max_gpus));
  }
  if (quota.gpu_model.empty())
    return Status::InvalidArgument("quota gpu_model must not be empty (\"*\" means any)");
  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Status {
    std::string_view table = quota.scope == QuotaScope::kUser ? "users" : "groups";
    AVA_ASSIGN_OR_RETURN(SqlResult who, Q(c, fmt::format("SELECT 1 FROM {} WHERE name = $1", table),
                                          {SqlValue::Text(quota.name)}));
    if (who.rows.empty()) {
      return Status::NotFound(
          fmt::format("quota for {} '{}': no such {}", Name(quota.scope), quota.name, Name(quota.scope)));
    }
    return Q(c,
             "INSERT INTO quotas (scope, name, gpu_model, max_gpus) VALUES ($1, $2, $3, $4) "
             "ON CONFLICT (scope, name, gpu_model) DO UPDATE SET max_gpus = excluded.max_gpus",
             {SqlValue::Text(std::string(Name(quota.scope))), SqlValue::Text(quota.name),
              SqlValue::Text(quota.gpu_model), SqlValue::Int(quota.max_gpus)})
        .status();
  });
}

Result<std::vector<Quota>> SqlStore::ListQuotas() {
  return Transact(TxKind::kRead, __func__, [&](SqlConnection& c) -> Result<std::vector<Quota>> {
    AVA_ASSIGN_OR_RETURN(
        SqlResult r,
        Q(c, "SELECT scope, name, gpu_model, max_gpus FROM quotas ORDER BY scope, name, gpu_model"));
    std::vector<Quota> out;
    for (const SqlRow& row : r.rows) {
      AVA_ASSIGN_OR_RETURN(QuotaScope scope, Column(ParseQuotaScope(row[0].AsText()), "quotas"));
      out.push_back(Quota{
          .scope = scope, .name = row[1].AsText(), .gpu_model = row[2].AsText(), .max_gpus = row[3].AsInt()});
    }
    return out;
  });
}

Status SqlStore::DeleteQuota(QuotaScope scope, std::string_view name, std::string_view gpu_model) {
  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Status {
    AVA_ASSIGN_OR_RETURN(SqlResult r,
                         Q(c, "DELETE FROM quotas WHERE scope = $1 AND name = $2 AND gpu_model = $3",
                           {SqlValue::Text(std::string(Name(scope))), SqlValue::Text(std::string(name)),
                            SqlValue::Text(std::string(gpu_model))}));
    if (r.affected == 0) {
      return Status::NotFound(
          fmt::format("no quota for {} '{}' on GPU model '{}'", Name(scope), name, gpu_model));
    }
    return Status::OK();
  });
}

// ---------------------------------------------------------------- jobs

Result<Job> SqlStore::CreateJob(const NewJob& job) {
  AVA_RETURN_IF_ERROR(CheckName("job", job.name));
  if (job.gang_size < 1)
    return Status::InvalidArgument(fmt::format("job gang_size must be at least 1 (got {})", job.gang_size));
  if (!(job.gpus >= 0) || !(job.cpus >= 0) || !std::isfinite(job.gpus) || !std::isfinite(job.cpus) ||
      job.memory_bytes < 0 || job.max_runtime.count() < 0) {
    return Status::InvalidArgument("job gpus, cpus, memory and max_runtime must be finite and not negative");
  }
  if (job.gpu_model.empty())
    return Status::InvalidArgument("job gpu_model must not be empty (\"*\" means any)");
  const Nanos now = clock_->WallNow();
  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Result<Job> {
    AVA_RETURN_IF_ERROR(RequireExists(c, "users", "user", job.owner_id));
    if (job.group_id) AVA_RETURN_IF_ERROR(RequireExists(c, "groups", "group", *job.group_id));
    AVA_ASSIGN_OR_RETURN(
        SqlResult r,
        Q(c,
          fmt::format(
              "INSERT INTO jobs (owner_id, group_id, name, kind, spec_yaml, priority, gpus, gpu_model, "
              "gang_size, "
              "cpus, memory_bytes, max_runtime_ns, state, submitted_ns) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'queued', $13) RETURNING {}",
              kJobCols),
          {SqlValue::Int(job.owner_id), SqlValue::OptInt(job.group_id), SqlValue::Text(job.name),
           SqlValue::Text(std::string(Name(job.kind))), SqlValue::Text(job.spec_yaml),
           SqlValue::Int(job.priority), SqlValue::Real(job.gpus), SqlValue::Text(job.gpu_model),
           SqlValue::Int(job.gang_size), SqlValue::Real(job.cpus), SqlValue::Int(job.memory_bytes),
           SqlValue::Int(job.max_runtime.count()), SqlValue::Int(now.count())}));
    AVA_ASSIGN_OR_RETURN(Job created, JobFromRow(r.rows.at(0)));
    AVA_RETURN_IF_ERROR(
        InsertEvent(c, NewEvent{.job_id = created.id, .type = "job.queued", .message = "submitted"}, now));
    return created;
  });
}

Result<Job> SqlStore::GetJob(int64_t id) {
  return Transact(TxKind::kRead, __func__, [&](SqlConnection& c) { return LoadJob(c, id); });
}

Result<std::vector<Job>> SqlStore::ListJobs(const JobFilter& filter, const Page& page) {
  AVA_RETURN_IF_ERROR(CheckPage(page));
  // Only the conditions that apply are written, each with its own placeholder; values stay bound.
  std::string where = "id > $1";
  Params params{SqlValue::Int(page.after_id)};
  auto bind = [&](SqlValue v) {
    params.push_back(std::move(v));
    return fmt::format("${}", params.size());
  };
  if (filter.owner_id) where += " AND owner_id = " + bind(SqlValue::Int(*filter.owner_id));
  if (filter.group_id) where += " AND group_id = " + bind(SqlValue::Int(*filter.group_id));
  if (filter.kind) where += " AND kind = " + bind(SqlValue::Text(std::string(Name(*filter.kind))));
  if (filter.node_id) {
    where +=
        " AND id IN (SELECT job_id FROM job_nodes WHERE node_id = " + bind(SqlValue::Int(*filter.node_id)) +
        ")";
  }
  if (!filter.states.empty()) {
    std::string list;
    for (JobState s : filter.states) {
      if (!list.empty()) list += ", ";
      list += bind(SqlValue::Text(std::string(Name(s))));
    }
    where += " AND state IN (" + list + ")";
  }
  const std::string limit = bind(SqlValue::Int(page.limit));
  const std::string sql =
      fmt::format("SELECT {} FROM jobs WHERE {} ORDER BY id LIMIT {}", kJobCols, where, limit);
  return Transact(TxKind::kRead, __func__, [&](SqlConnection& c) -> Result<std::vector<Job>> {
    AVA_ASSIGN_OR_RETURN(SqlResult r, Q(c, sql, params));
    std::vector<Job> out;
    for (const SqlRow& row : r.rows) {
      AVA_ASSIGN_OR_RETURN(Job job, JobFromRow(row));
      out.push_back(std::move(job));
    }
    AVA_RETURN_IF_ERROR(FillNodeIds(c, &out));
    return out;
  });
}

Result<Job> SqlStore::TransitionJob(int64_t id, const std::vector<JobState>& from, JobState to,
                                    const JobUpdate& update, std::string_view event_message) {
  if (from.empty()) return Status::InvalidArgument("a job transition needs at least one 'from' state");
  for (JobState s : from) {
    if (IsTerminal(s)) {
      return Status::InvalidArgument(
          fmt::format("job state {} is terminal; no transition leaves it", Name(s)));
    }
    if (s == to) return Status::InvalidArgument(fmt::format("job transition from {} to itself", Name(s)));
  }
  if (update.assignment_json) AVA_RETURN_IF_ERROR(CheckJson("job assignment", *update.assignment_json));
  if (update.report_json) AVA_RETURN_IF_ERROR(CheckJson("job report", *update.report_json));

  const Nanos now = clock_->WallNow();
  Params params{SqlValue::Text(std::string(Name(to))), SqlValue::Int(id)};
  auto bind = [&](SqlValue v) {
    params.push_back(std::move(v));
    return fmt::format("${}", params.size());
  };
  std::string set = "state = $1";
  const bool requeue = to == JobState::kQueued;
  if (to == JobState::kScheduled) set += ", scheduled_ns = " + bind(SqlValue::Int(now.count()));
  if (to == JobState::kRunning) set += ", started_ns = " + bind(SqlValue::Int(now.count()));
  if (IsTerminal(to)) set += ", finished_ns = " + bind(SqlValue::Int(now.count()));
  if (requeue) set += ", scheduled_ns = NULL, started_ns = NULL, assignment = ''";
  if (update.assignment_json && !requeue)
    set += ", assignment = " + bind(SqlValue::Text(*update.assignment_json));
  if (update.exit_code) set += ", exit_code = " + bind(SqlValue::Int(*update.exit_code));
  if (update.reason) set += ", reason = " + bind(SqlValue::Text(*update.reason));
  if (update.report_json) set += ", report = " + bind(SqlValue::Text(*update.report_json));
  std::string states;
  for (JobState s : from) {
    if (!states.empty()) states += ", ";
    states += bind(SqlValue::Text(std::string(Name(s))));
  }
  const std::string sql =
      fmt::format("UPDATE jobs SET {} WHERE id = $2 AND state IN ({}) RETURNING {}", set, states, kJobCols);

  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Result<Job> {
    AVA_ASSIGN_OR_RETURN(SqlResult r, Q(c, sql, params));
    if (r.rows.empty()) {
      // Nothing matched: say whether the job is missing or in another state.
      AVA_ASSIGN_OR_RETURN(SqlResult cur, Q(c, "SELECT state FROM jobs WHERE id = $1", {SqlValue::Int(id)}));
      if (cur.rows.empty()) return Status::NotFound(fmt::format("job {} not found", id));
      return Status::FailedPrecondition(fmt::format("job {} is {}, not {}; it cannot become {}", id,
                                                    cur.rows[0][0].AsText(), StateList(from), Name(to)));
    }
    AVA_ASSIGN_OR_RETURN(Job job, JobFromRow(r.rows[0]));
    if (requeue || update.node_ids) {
      AVA_RETURN_IF_ERROR(Q(c, "DELETE FROM job_nodes WHERE job_id = $1", {SqlValue::Int(id)}));
    }
    if (update.node_ids && !requeue) {
      for (size_t rank = 0; rank < update.node_ids->size(); ++rank) {
        AVA_RETURN_IF_ERROR(Q(c, "INSERT INTO job_nodes (job_id, rank, node_id) VALUES ($1, $2, $3)",
                              {SqlValue::Int(id), SqlValue::Int(static_cast<int64_t>(rank)),
                               SqlValue::Int((*update.node_ids)[rank])}));
      }
    }
    std::vector<Job> one{std::move(job)};
    AVA_RETURN_IF_ERROR(FillNodeIds(c, &one));
    std::string message = event_message.empty() ? fmt::format("{} → {}", StateList(from), Name(to))
                                                : std::string(event_message);
    AVA_RETURN_IF_ERROR(InsertEvent(
        c, NewEvent{.job_id = id, .type = fmt::format("job.{}", Name(to)), .message = std::move(message)},
        now));
    return std::move(one[0]);
  });
}

// ---------------------------------------------------------------- events

Result<Event> SqlStore::AddEvent(const NewEvent& event) {
  if (event.job_id.has_value() == event.node_id.has_value()) {
    return Status::InvalidArgument("an event belongs to exactly one job or one node");
  }
  if (event.type.empty()) return Status::InvalidArgument("event type must not be empty");
  const Nanos now = clock_->WallNow();
  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Result<Event> {
    if (event.job_id) AVA_RETURN_IF_ERROR(RequireExists(c, "jobs", "job", *event.job_id));
    return InsertEvent(c, event, now);
  });
}

Result<std::vector<Event>> SqlStore::ListEvents(const EventFilter& filter, const Page& page) {
  AVA_RETURN_IF_ERROR(CheckPage(page));
  std::string where = "id > $1";
  Params params{SqlValue::Int(page.after_id)};
  if (filter.job_id) {
    params.push_back(SqlValue::Int(*filter.job_id));
    where += fmt::format(" AND job_id = ${}", params.size());
  }
  if (filter.node_id) {
    params.push_back(SqlValue::Int(*filter.node_id));
    where += fmt::format(" AND node_id = ${}", params.size());
  }
  params.push_back(SqlValue::Int(page.limit));
  const std::string sql =
      fmt::format("SELECT {} FROM events WHERE {} ORDER BY id LIMIT ${}", kEventCols, where, params.size());
  return Transact(TxKind::kRead, __func__, [&](SqlConnection& c) -> Result<std::vector<Event>> {
    AVA_ASSIGN_OR_RETURN(SqlResult r, Q(c, sql, params));
    std::vector<Event> out;
    for (const SqlRow& row : r.rows) out.push_back(EventFromRow(row));
    return out;
  });
}

// ---------------------------------------------------------------- logs

Result<LogChunk> SqlStore::AppendLog(int64_t job_id, LogStream stream, std::string_view data) {
  if (data.empty()) return Status::InvalidArgument("a log chunk must not be empty");
  const Nanos now = clock_->WallNow();
  return Transact(TxKind::kWrite, __func__, [&](SqlConnection& c) -> Result<LogChunk> {
    // Bumping the counter locks the job row until commit, so seqs are handed out in commit order.
    AVA_ASSIGN_OR_RETURN(SqlResult r,
                         Q(c, "UPDATE jobs SET log_seq = log_seq + 1 WHERE id = $1 RETURNING log_seq",
                           {SqlValue::Int(job_id)}));
    if (r.rows.empty()) return Status::NotFound(fmt::format("job {} not found", job_id));
    LogChunk chunk{.job_id = job_id,
                   .seq = r.rows[0][0].AsInt(),
                   .stream = stream,
                   .time = now,
                   .data = std::string(data)};
    AVA_RETURN_IF_ERROR(
        Q(c, "INSERT INTO log_chunks (job_id, seq, stream, time_ns, data) VALUES ($1, $2, $3, $4, $5)",
          {SqlValue::Int(job_id), SqlValue::Int(chunk.seq), SqlValue::Text(std::string(Name(stream))),
           SqlValue::Int(now.count()), SqlValue::Bytes(chunk.data)}));
    return chunk;
  });
}

Result<std::vector<LogChunk>> SqlStore::ReadLogs(int64_t job_id, int64_t after_seq, int limit) {
  if (limit < 1 || limit > Page::kMaxLimit) {
    return Status::InvalidArgument(
        fmt::format("log read limit {} is out of range (1..{})", limit, Page::kMaxLimit));
  }
  return Transact(TxKind::kRead, __func__, [&](SqlConnection& c) -> Result<std::vector<LogChunk>> {
    AVA_ASSIGN_OR_RETURN(SqlResult r,
                         Q(c,
                           "SELECT seq, stream, time_ns, data FROM log_chunks "
                           "WHERE job_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                           {SqlValue::Int(job_id), SqlValue::Int(after_seq), SqlValue::Int(limit)}));
    if (r.rows.empty()) AVA_RETURN_IF_ERROR(RequireExists(c, "jobs", "job", job_id));
    std::vector<LogChunk> out;
    for (const SqlRow& row : r.rows) {
      AVA_ASSIGN_OR_RETURN(LogStream stream, Column(ParseLogStream(row[1].AsText()), "log_chunks"));
      out.push_back(LogChunk{.job_id = job_id,
                             .seq = row[0].AsInt(),
                             .stream = stream,
                             .time = Nanos(row[2].AsInt()),
                             .data = row[3].AsText()});
    }
    return out;
  });
}

}  // namespace ava::db
