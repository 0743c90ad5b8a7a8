// CliContext: what every `ava` command works with — where to print, the environment, the global
// flags (--server, --token, --json), the connection to avad, and the exit codes:
//
//   0  success (for `ava job submit` following a job: the job succeeded)
//   1  an error (avad refused the request, could not be reached, a file could not be read)
//   2  bad usage (unknown command or flag, missing argument)
//   N  `ava job submit` / `ava job logs -f --exit-code`: the job failed with exit status N (1..255)
//   124 the job failed without an exit status (killed: max_runtime, a signal, its node failed it)
//   125 the job was lost (its node stopped answering)
//   130 the job was cancelled
//
// Thread safety: one context per command run.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iosfwd>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/api_client.h"
#include "cli/client_config.h"

namespace ava::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitJobKilled = 124;
inline constexpr int kExitJobLost = 125;
inline constexpr int kExitJobCancelled = 130;

struct CliContext {
  std::ostream& out;
  std::ostream& err;
  std::istream& in;
  const CliEnvironment& env;
  std::string server_flag;
  std::string token_flag;
  bool json = false;
  // Set by the parse callback of the chosen command.
  std::function<int()> selected;

  // The server and token from the flags, else AVA_SERVER/AVA_TOKEN, else the config file; prints
  // what is missing and returns null when there is none.
  std::unique_ptr<ApiClient> Connect();
  // Prints "ava: <message>" (and the field when the message does not name it); returns kExitError.
  int Fail(const Status& status, const std::string& field = "");
  void PrintJson(const nlohmann::json& value);
};

// The exit code `ava job submit` gives for a job that ended in `job` (a job record).
int ExitCodeForJob(const nlohmann::json& job);

// One function per command file.
void RegisterLogin(CLI::App& app, CliContext& ctx);
void RegisterJobSubmit(CLI::App& job, CliContext& ctx);
void RegisterJobList(CLI::App& job, CliContext& ctx);
void RegisterJobShow(CLI::App& job, CliContext& ctx);
void RegisterJobLogs(CLI::App& job, CliContext& ctx);
void RegisterJobCancel(CLI::App& job, CliContext& ctx);
void RegisterQueue(CLI::App& app, CliContext& ctx);
void RegisterNodeList(CLI::App& node, CliContext& ctx);
void RegisterGpuList(CLI::App& gpu, CliContext& ctx);
void RegisterQuotaSet(CLI::App& quota, CliContext& ctx);
void RegisterQuotaShow(CLI::App& quota, CliContext& ctx);
void RegisterWorkspaceStart(CLI::App& workspace, CliContext& ctx);
void RegisterWorkspaceStop(CLI::App& workspace, CliContext& ctx);
void RegisterWorkspaceList(CLI::App& workspace, CliContext& ctx);
void RegisterUserCreate(CLI::App& user, CliContext& ctx);

// Follows a job's logs (stdout chunks to ctx.out, stderr to ctx.err) from after `after_seq` until
// it ends, reconnecting if the stream breaks; returns the job's final record.
Result<nlohmann::json> FollowJob(CliContext& ctx, ApiClient& client, int64_t id, int64_t after_seq);

}  // namespace ava::cli
