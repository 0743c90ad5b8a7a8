// `ava job logs ID [-f]`: a job's output; -f follows it until the job ends.
#include <fmt/format.h>

#include <ostream>

#include "cli/cli_context.h"

namespace ava::cli {

void RegisterJobLogs(CLI::App& job, CliContext& ctx) {
  auto* cmd =
      job.add_subcommand("logs",
                         "Print a job's output (stdout here, stderr on stderr). Logs stay after the job\n"
                         "and its node are gone. -f follows new output until the job ends.");
  auto id = std::make_shared<int64_t>(0);
  auto follow = std::make_shared<bool>(false);
  auto after = std::make_shared<int64_t>(0);
  auto exit_code = std::make_shared<bool>(false);
  cmd->add_option("ID", *id, "job id")->required();
  cmd->add_flag("-f,--follow", *follow, "keep printing new output until the job ends");
  cmd->add_option("--after", *after, "only chunks after this sequence number");
  cmd->add_flag("--exit-code", *exit_code, "with -f: exit with the job's result, as `ava job submit` does");
  cmd->callback([&ctx, id, follow, after, exit_code] {
    ctx.selected = [&ctx, id, follow, after, exit_code] {
      std::unique_ptr<ApiClient> client = ctx.Connect();
      if (client == nullptr) return kExitError;
      if (*follow) {
        Result<Json> done = FollowJob(ctx, *client, *id, *after);
        if (!done.ok()) return ctx.Fail(done.status());
        return *exit_code ? ExitCodeForJob(*done) : kExitOk;
      }
      std::string pending;
      Status s = client->Stream(fmt::format("/v1/jobs/{}/logs?after_seq={}", *id, *after),
                                "application/x-ndjson", [&](std::string_view data) {
                                  pending.append(data);
                                  size_t nl;
                                  while ((nl = pending.find('\n')) != std::string::npos) {
                                    Json chunk = Json::parse(pending.substr(0, nl), nullptr, false);
                                    pending.erase(0, nl + 1);
                                    if (!chunk.is_object()) continue;
                                    if (ctx.json) {
                                      ctx.out << chunk.dump() << "\n";
                                      continue;
                                    }
                                    (chunk.value("stream", "stdout") == "stderr" ? ctx.err : ctx.out)
                                        << chunk.value("data", std::string());
                                  }
                                  return true;
                                });
      ctx.out << std::flush;
      if (!s.ok()) return ctx.Fail(s);
      return kExitOk;
    };
  });
}

}  // namespace ava::cli
