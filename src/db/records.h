// The rows of avad's store: users, groups, memberships, tokens, nodes, quotas, jobs, events and log
// chunks, plus the small enums they use. Plain values: no behaviour beyond naming and parsing the
// enums. Times are wall-clock nanoseconds since the Unix epoch, taken from the store's injected
// ava::Clock; an unset optional time means "has not happened".
//
// Thread safety: values; const access from many threads is safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace ava::db {

// A membership's role: group admins see and cancel their group's jobs.
enum class Role { kMember, kAdmin };
// kDown: missed heartbeats. kDrained: an admin took it out of scheduling; a re-registering agent
// does not undo that.
enum class NodeState { kUp, kDown, kDrained };
enum class QuotaScope { kUser, kGroup };
enum class JobKind { kJob, kWorkspace };
// queued → scheduled → running → succeeded | failed | cancelled | lost. A job may also go back to
// queued (preempted, or its node vanished before it started).
enum class JobState { kQueued, kScheduled, kRunning, kSucceeded, kFailed, kCancelled, kLost };
enum class LogStream { kStdout, kStderr, kSystem };

// Lower-case names as stored and shown: "member", "drained", "workspace", "running", "stderr".
std::string_view Name(Role v);
std::string_view Name(NodeState v);
std::string_view Name(QuotaScope v);
std::string_view Name(JobKind v);
std::string_view Name(JobState v);
std::string_view Name(LogStream v);
// The inverse of Name; InvalidArgument naming the accepted values otherwise.
Result<Role> ParseRole(std::string_view text);
Result<NodeState> ParseNodeState(std::string_view text);
Result<QuotaScope> ParseQuotaScope(std::string_view text);
Result<JobKind> ParseJobKind(std::string_view text);
Result<JobState> ParseJobState(std::string_view text);
Result<LogStream> ParseLogStream(std::string_view text);

// succeeded, failed, cancelled, lost: the job holds no GPUs and never changes state again.
bool IsTerminal(JobState state);
// Every JobState, in declaration order (for tests and "all states" filters).
const std::vector<JobState>& AllJobStates();

struct User {
  int64_t id = 0;
  std::string name;
  bool is_admin = false;
  Nanos created{0};
};

struct Group {
  int64_t id = 0;
  std::string name;
  Nanos created{0};
};

struct Membership {
  int64_t group_id = 0;
  int64_t user_id = 0;
  Role role = Role::kMember;
};

// A bearer token. Only the SHA-256 of its secret is kept; the secret itself is shown once, by
// Store::CreateToken.
struct Token {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string name;
  std::string sha256_hex;
  Nanos created{0};
  std::optional<Nanos> last_used;
  std::optional<Nanos> expires;
};

// What CreateToken returns: the stored token and the secret the user must keep.
struct IssuedToken {
  Token token;
  std::string secret;
};

struct Node {
  int64_t id = 0;
  std::string name;
  std::string address;         // where avad reaches the agent, e.g. "10.0.0.7:7070"
  std::string inventory_json;  // the agent's GPU inventory (gpu/ inventory model as JSON)
  NodeState state = NodeState::kUp;
  Nanos registered{0};
  std::optional<Nanos> last_heartbeat;
};

// At most max_gpus GPUs of model gpu_model ("*": any model) in use at once by the user or group
// named `name`.
struct Quota {
  QuotaScope scope = QuotaScope::kUser;
  std::string name;
  std::string gpu_model = "*";
  int64_t max_gpus = 0;
};

// What a submitter asks for. spec_yaml is kept verbatim; the other fields are the parts of it
// the scheduler and list queries need, parsed by the caller.
struct NewJob {
  int64_t owner_id = 0;
  std::optional<int64_t> group_id;
  std::string name;
  JobKind kind = JobKind::kJob;
  std::string spec_yaml;
  int64_t priority = 0;
  double gpus = 0;  // per gang member; may be fractional
  std::string gpu_model = "*";
  int64_t gang_size = 1;  // members that must start together (all or nothing)
  double cpus = 0;
  int64_t memory_bytes = 0;
  Nanos max_runtime{0};  // 0: no limit
};

struct Job {
  int64_t id = 0;
  int64_t owner_id = 0;
  std::optional<int64_t> group_id;
  std::string name;
  JobKind kind = JobKind::kJob;
  std::string spec_yaml;
  int64_t priority = 0;
  double gpus = 0;
  std::string gpu_model = "*";
  int64_t gang_size = 1;
  double cpus = 0;
  int64_t memory_bytes = 0;
  Nanos max_runtime{0};

  JobState state = JobState::kQueued;
  std::vector<int64_t> node_ids;  // nodes of the current (or last) placement, gang rank order
  std::string assignment_json;    // GPU bindings per node; "" when never placed
  std::optional<int64_t> exit_code;
  std::string reason;       // why it is waiting, failed or was cancelled
  std::string report_json;  // what the job reported (metrics, accuracy); "" when none
  Nanos submitted{0};
  std::optional<Nanos> scheduled;
  std::optional<Nanos> started;
  std::optional<Nanos> finished;
};

// Changes a transition makes besides the state. Unset fields keep their value.
struct JobUpdate {
  std::optional<std::vector<int64_t>> node_ids;
  std::optional<std::string> assignment_json;
  std::optional<int64_t> exit_code;
  std::optional<std::string> reason;
  std::optional<std::string> report_json;
};

// Something that happened to a job or a node. Job transitions write type "job.<state>".
struct Event {
  int64_t id = 0;
  std::optional<int64_t> job_id;
  std::optional<int64_t> node_id;
  Nanos time{0};
  std::string type;
  std::string message;
};

struct NewEvent {
  std::optional<int64_t> job_id;
  std::optional<int64_t> node_id;
  std::string type;
  std::string message;
};

// A piece of a job's output. seq starts at 1 and increases by one per chunk of that job, in the
// order the appends committed.
struct LogChunk {
  int64_t job_id = 0;
  int64_t seq = 0;
  LogStream stream = LogStream::kStdout;
  Nanos time{0};
  std::string data;  // raw bytes; not necessarily UTF-8 or whole lines
};

}  // namespace ava::db
