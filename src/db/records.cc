#include "db/records.h"

#include <array>
#include <string>
#include <utility>

namespace ava::db {
namespace {

template <typename E, size_t N>
std::string_view NameIn(const std::array<std::pair<E, std::string_view>, N>& table, E v) {
  for (const auto& [value, name] : table) {
    if (value == v) return name;
  }
  return "?";
}

template <typename E, size_t N>
Result<E> ParseIn(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view what,
                  std::string_view text) {
  std::string accepted;
  for (const auto& [value, name] : table) {
    if (name == text) return value;
    if (!accepted.empty()) accepted += ", ";
    accepted += name;
  }
  return Status::InvalidArgument("unknown " + std::string(what) + " '" + std::string(text) +
                                 "' (expected one of: " + accepted + ")");
}

constexpr std::array<std::pair<Role, std::string_view>, 2> kRoles{{
    {Role::kMember, "member"},
    {Role::kAdmin, "admin"},
}};
constexpr std::array<std::pair<NodeState, std::string_view>, 3> kNodeStates{{
    {NodeState::kUp, "up"},
    {NodeState::kDown, "down"},
    {NodeState::kDrained, "drained"},
}};
constexpr std::array<std::pair<QuotaScope, std::string_view>, 2> kScopes{{
    {QuotaScope::kUser, "user"},
    {QuotaScope::kGroup, "group"},
}};
constexpr std::array<std::pair<JobKind, std::string_view>, 2> kKinds{{
    {JobKind::kJob, "job"},
    {JobKind::kWorkspace, "workspace"},
}};
constexpr std::array<std::pair<JobState, std::string_view>, 7> kJobStates{{
    {JobState::kQueued, "queued"},
    {JobState::kScheduled, "scheduled"},
    {JobState::kRunning, "running"},
    {JobState::kSucceeded, "succeeded"},
    {JobState::kFailed, "failed"},
    {JobState::kCancelled, "cancelled"},
    {JobState::kLost, "lost"},
}};
constexpr std::array<std::pair<LogStream, std::string_view>, 3> kStreams{{
    {LogStream::kStdout, "stdout"},
    {LogStream::kStderr, "stderr"},
    {LogStream::kSystem, "system"},
}};

}  // namespace

std::string_view Name(Role v) { return NameIn(kRoles, v); }
std::string_view Name(NodeState v) { return NameIn(kNodeStates, v); }
std::string_view Name(QuotaScope v) { return NameIn(kScopes, v); }
std::string_view Name(JobKind v) { return NameIn(kKinds, v); }
std::string_view Name(JobState v) { return NameIn(kJobStates, v); }
std::string_view Name(LogStream v) { return NameIn(kStreams, v); }

Result<Role> ParseRole(std::string_view text) { return ParseIn(kRoles, "role", text); }
Result<NodeState> ParseNodeState(std::string_view text) { return ParseIn(kNodeStates, "node state", text); }
Result<QuotaScope> ParseQuotaScope(std::string_view text) { return ParseIn(kScopes, "quota scope", text); }
Result<JobKind> ParseJobKind(std::string_view text) { return ParseIn(kKinds, "job kind", text); }
Result<JobState> ParseJobState(std::string_view text) { return ParseIn(kJobStates, "job state", text); }
Result<LogStream> ParseLogStream(std::string_view text) { return ParseIn(kStreams, "log stream", text); }

bool IsTerminal(JobState state) {
  return state == JobState::kSucceeded || state == JobState::kFailed || state == JobState::kCancelled ||
         state == JobState::kLost;
}

const std::vector<JobState>& AllJobStates() {
  static const std::vector<JobState> kAll = [] {
    std::vector<JobState> all;
    for (const auto& [state, name] : kJobStates) all.push_back(state);
    return all;
  }();
  return kAll;
}

}  // namespace ava::db
