// SqlStore: the Store contract (store.h) written once in SQL over a ConnectionPool. SqliteStore and
// PostgresStore are this class with a different connection factory; the SQL is the same for both
// dialects except the schema (schema.cc) and the BEGIN statement.
//
// Transactions: each method runs in one transaction on one pooled connection. Writes begin with
// BEGIN IMMEDIATE on SQLite (the write lock is taken up front, so two writers never deadlock on a
// lock upgrade) and plain BEGIN (READ COMMITTED) on PostgreSQL, where the checked UPDATE … WHERE
// state IN (…) of TransitionJob re-evaluates its condition after waiting for a concurrent writer
// of the same row, so only one of two racing transitions matches. A transaction that fails with a
// retryable error before its COMMIT was sent is rolled back and run again, up to
// StoreOptions::max_attempts; a connection lost during COMMIT is reported as Unavailable saying the
// outcome is unknown.
//
// Thread safety: all methods are safe for concurrent use; the pool serialises use of a connection.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "db/connection_pool.h"
#include "db/store.h"
#include "db/store_options.h"

namespace ava::db {

class SqlStore : public Store {
 public:
  ~SqlStore() override;

  Result<int> SchemaVersion() override;

  Result<User> CreateUser(std::string_view name, bool is_admin) override;
  Result<User> GetUser(int64_t id) override;
  Result<User> GetUserByName(std::string_view name) override;
  Result<std::vector<User>> ListUsers(const Page& page) override;
  Status SetUserAdmin(int64_t id, bool is_admin) override;
  Status DeleteUser(int64_t id) override;

  Result<Group> CreateGroup(std::string_view name) override;
  Result<Group> GetGroup(int64_t id) override;
  Result<Group> GetGroupByName(std::string_view name) override;
  Result<std::vector<Group>> ListGroups(const Page& page) override;
  Status DeleteGroup(int64_t id) override;
  Status AddMember(int64_t group_id, int64_t user_id, Role role) override;
  Status SetMemberRole(int64_t group_id, int64_t user_id, Role role) override;
  Status RemoveMember(int64_t group_id, int64_t user_id) override;
  Result<std::vector<Membership>> ListMembers(int64_t group_id) override;
  Result<std::vector<Membership>> ListUserGroups(int64_t user_id) override;

  Result<IssuedToken> CreateToken(int64_t user_id, std::string_view name,
                                  std::optional<Nanos> expires) override;
  Result<User> FindUserByToken(std::string_view secret) override;
  Result<std::vector<Token>> ListTokens(int64_t user_id) override;
  Status RevokeToken(int64_t token_id) override;

  Result<Node> RegisterNode(std::string_view name, std::string_view address,
                            std::string_view inventory_json) override;
  Result<Node> GetNode(int64_t id) override;
  Result<Node> GetNodeByName(std::string_view name) override;
  Result<std::vector<Node>> ListNodes(const Page& page) override;
  Status Heartbeat(int64_t node_id) override;
  Result<Node> SetNodeState(int64_t node_id, NodeState state, std::string_view message) override;
  Status DeleteNode(int64_t node_id) override;

  Status SetQuota(const Quota& quota) override;
  Result<std::vector<Quota>> ListQuotas() override;
  Status DeleteQuota(QuotaScope scope, std::string_view name, std::string_view gpu_model) override;

  Result<Job> CreateJob(const NewJob& job) override;
  Result<Job> GetJob(int64_t id) override;
  Result<std::vector<Job>> ListJobs(const JobFilter& filter, const Page& page) override;
  Result<Job> TransitionJob(int64_t id, const std::vector<JobState>& from, JobState to,
                            const JobUpdate& update, std::string_view event_message) override;

  Result<Event> AddEvent(const NewEvent& event) override;
  Result<std::vector<Event>> ListEvents(const EventFilter& filter, const Page& page) override;

  Result<LogChunk> AppendLog(int64_t job_id, LogStream stream, std::string_view data) override;
  Result<std::vector<LogChunk>> ReadLogs(int64_t job_id, int64_t after_seq, int limit) override;

 protected:
  // Takes the pool; `options.clock` may be null (a SystemClock is then owned by the store).
  SqlStore(std::unique_ptr<ConnectionPool> pool, Dialect dialect, const StoreOptions& options);
  // Applies the schema migrations; implementations call it once before returning the store.
  Status MigrateSchema();

 private:
  enum class TxKind { kRead, kWrite };
  // Runs fn(SqlConnection&) → Result<T> or Status in one transaction, with the retry policy
  // above, and records it as operation `op` in the metrics.
  template <typename Fn>
  auto Transact(TxKind kind, std::string_view op, Fn&& fn) -> decltype(fn(std::declval<SqlConnection&>()));
  template <typename Fn>
  auto RunTransaction(TxKind kind, Fn& fn) -> decltype(fn(std::declval<SqlConnection&>()));
  void Record(std::string_view op, Nanos elapsed, const Status& status);

  std::unique_ptr<ConnectionPool> pool_;
  const Dialect dialect_;
  StoreOptions options_;
  std::unique_ptr<Clock> own_clock_;  // set when options.clock was null
  Clock* clock_;
};

}  // namespace ava::db
