// db::Store: everything avad keeps — users, groups, tokens, nodes, quotas, jobs, events and job
// logs — behind one typed interface. No SQL leaves this layer. Two implementations share one
// contract (tests/db/store_contract.h): SqliteStore (embedded, one file) and PostgresStore (for a
// control plane several machines talk to). OpenStore (open_store.h) picks one from a URL.
//
// Errors: NotFound when a named row does not exist; AlreadyExists when a create collides with a
// unique name; InvalidArgument for malformed input (empty names, bad JSON, bad page limits);
// FailedPrecondition when the row exists but is not in a state that allows the change (a job not
// in an allowed `from` state, a user that still owns jobs); Unauthenticated for an unknown or
// expired token; Unavailable (retryable) when the database cannot be reached or stays locked.
// Messages name the resource ("job 17 is running, not queued").
//
// Atomicity: every method is one transaction. TransitionJob checks the job's current state and
// changes it in the same transaction as its event, so of two callers racing to move a job out of
// the same state exactly one wins and the other gets FailedPrecondition.
//
// Lists are ordered by id ascending and paged with Page{after_id, limit}: pass the last id you got
// to read the next page; a page shorter than `limit` is the last.
//
// Thread safety: all methods are safe to call concurrently from many threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "db/records.h"

namespace ava::db {

struct Page {
  static constexpr int kMaxLimit = 1000;
  int64_t after_id = 0;  // return rows with id > after_id
  int limit = 100;       // 1..kMaxLimit
};

// Unset fields do not filter.
struct JobFilter {
  std::optional<int64_t> owner_id;
  std::optional<int64_t> group_id;
  std::optional<int64_t> node_id;  // jobs whose placement includes this node
  std::vector<JobState> states;    // empty: any state
  std::optional<JobKind> kind;
};

struct EventFilter {
  std::optional<int64_t> job_id;
  std::optional<int64_t> node_id;
};

class Store {
 public:
  virtual ~Store() = default;
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The highest migration applied to the database.
  virtual Result<int> SchemaVersion() = 0;

  // ---- users
  virtual Result<User> CreateUser(std::string_view name, bool is_admin) = 0;
  virtual Result<User> GetUser(int64_t id) = 0;
  virtual Result<User> GetUserByName(std::string_view name) = 0;
  virtual Result<std::vector<User>> ListUsers(const Page& page) = 0;
  virtual Status SetUserAdmin(int64_t id, bool is_admin) = 0;
  // Also deletes the user's tokens and memberships. FailedPrecondition while the user owns jobs:
  // jobs, their events and logs are history and keep their owner.
  virtual Status DeleteUser(int64_t id) = 0;

  // ---- groups and memberships
  virtual Result<Group> CreateGroup(std::string_view name) = 0;
  virtual Result<Group> GetGroup(int64_t id) = 0;
  virtual Result<Group> GetGroupByName(std::string_view name) = 0;
  virtual Result<std::vector<Group>> ListGroups(const Page& page) = 0;
  // Memberships go with the group; its jobs keep running with no group.
  virtual Status DeleteGroup(int64_t id) = 0;
  // NotFound if the user or group does not exist; AlreadyExists if already a member.
  virtual Status AddMember(int64_t group_id, int64_t user_id, Role role) = 0;
  virtual Status SetMemberRole(int64_t group_id, int64_t user_id, Role role) = 0;
  virtual Status RemoveMember(int64_t group_id, int64_t user_id) = 0;
  // Ordered by user id.
  virtual Result<std::vector<Membership>> ListMembers(int64_t group_id) = 0;
  // Ordered by group id.
  virtual Result<std::vector<Membership>> ListUserGroups(int64_t user_id) = 0;

  // ---- tokens (only SHA-256 hashes are stored)
  // Issues a new random secret for the user; the secret is in the result and nowhere else.
  virtual Result<IssuedToken> CreateToken(int64_t user_id, std::string_view name,
                                          std::optional<Nanos> expires) = 0;
  // The owner of `secret`, updating the token's last_used. Unauthenticated (without saying which)
  // when no token has that secret or it has expired.
  virtual Result<User> FindUserByToken(std::string_view secret) = 0;
  virtual Result<std::vector<Token>> ListTokens(int64_t user_id) = 0;
  virtual Status RevokeToken(int64_t token_id) = 0;

  // ---- nodes
  // Inserts the node, or updates address and inventory of the node with that name (an agent that
  // restarted). A down node comes back up; a drained one stays drained. Sets last_heartbeat.
  virtual Result<Node> RegisterNode(std::string_view name, std::string_view address,
                                    std::string_view inventory_json) = 0;
  virtual Result<Node> GetNode(int64_t id) = 0;
  virtual Result<Node> GetNodeByName(std::string_view name) = 0;
  virtual Result<std::vector<Node>> ListNodes(const Page& page) = 0;
  // Records a heartbeat now; a down node comes back up (with a "node.up" event).
  virtual Status Heartbeat(int64_t node_id) = 0;
  // Sets the state and writes a "node.<state>" event with `message` in the same transaction.
  virtual Result<Node> SetNodeState(int64_t node_id, NodeState state, std::string_view message) = 0;
  // Its events and job placements keep the id.
  virtual Status DeleteNode(int64_t node_id) = 0;

  // ---- quotas
  // Inserts or replaces the quota for (scope, name, gpu_model). NotFound if the user or group
  // `name` does not exist; InvalidArgument if max_gpus < 0.
  virtual Status SetQuota(const Quota& quota) = 0;
  // Ordered by scope, name, gpu_model.
  virtual Result<std::vector<Quota>> ListQuotas() = 0;
  virtual Status DeleteQuota(QuotaScope scope, std::string_view name, std::string_view gpu_model) = 0;

  // ---- jobs
  // Inserts the job as queued, submitted now, with a "job.queued" event.
  virtual Result<Job> CreateJob(const NewJob& job) = 0;
  virtual Result<Job> GetJob(int64_t id) = 0;
  virtual Result<std::vector<Job>> ListJobs(const JobFilter& filter, const Page& page) = 0;
  // Atomically: if the job's state is one of `from`, sets it to `to`, applies `update`, stamps the
  // time of the new state (scheduled / started / finished) and writes a "job.<to>" event carrying
  // `event_message`; returns the job as it now is. Going back to queued clears the placement and
  // the scheduled/started times. FailedPrecondition naming the current state otherwise (nothing
  // changes); NotFound if there is no such job. Terminal states have no way out.
  virtual Result<Job> TransitionJob(int64_t id, const std::vector<JobState>& from, JobState to,
                                    const JobUpdate& update, std::string_view event_message) = 0;

  // ---- events
  // Exactly one of job_id / node_id; the job must exist (nodes may since have been deleted).
  virtual Result<Event> AddEvent(const NewEvent& event) = 0;
  virtual Result<std::vector<Event>> ListEvents(const EventFilter& filter, const Page& page) = 0;

  // ---- logs (append-only; they outlive the job's run and its node)
  // Appends a chunk with the job's next seq. Empty `data` is InvalidArgument.
  virtual Result<LogChunk> AppendLog(int64_t job_id, LogStream stream, std::string_view data) = 0;
  // Chunks with seq > after_seq in seq order, at most `limit` (1..Page::kMaxLimit). For follow
  // mode call again with the last seq seen: seqs appear in commit order, so none is ever skipped.
  virtual Result<std::vector<LogChunk>> ReadLogs(int64_t job_id, int64_t after_seq, int limit) = 0;
};

}  // namespace ava::db
