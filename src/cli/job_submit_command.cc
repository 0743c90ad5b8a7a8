// `ava job submit FILE [-d]`: submits a job spec; unless detached, follows its logs to the end and
// exits with the job's result (cli_context.h lists the codes).
#include <fmt/format.h>

#include <istream>
#include <iterator>
#include <ostream>

#include "cli/cli_context.h"
#include "common/file_util.h"

namespace ava::cli {

void RegisterJobSubmit(CLI::App& job, CliContext& ctx) {
  auto* cmd = job.add_subcommand(
      "submit",
      "Submit the job spec in FILE (YAML, or JSON when it ends in .json; '-' reads stdin)\n"
      "and print its id. Unless -d is given, follow its output until it ends and exit\n"
      "with its result: 0 succeeded, its exit status when it failed with one, 124 failed\n"
      "without one, 125 lost, 130 cancelled. Ctrl-C stops following; the job keeps running.");
  auto file = std::make_shared<std::string>();
  auto detach = std::make_shared<bool>(false);
  cmd->add_option("FILE", *file, "the job spec (docs/api.md, \"Job spec\")")->required();
  cmd->add_flag("-d,--detach", *detach, "print the id and return at once");
  cmd->callback([&ctx, file, detach] {
    ctx.selected = [&ctx, file, detach] {
      std::string text;
      if (*file == "-") {
        text.assign(std::istreambuf_iterator<char>(ctx.in), std::istreambuf_iterator<char>());
      } else {
        Result<std::string> read = ReadFile(*file);
        if (!read.ok()) return ctx.Fail(read.status().Annotate(*file));
        text = std::move(read).value();
      }
      std::unique_ptr<ApiClient> client = ctx.Connect();
      if (client == nullptr) return kExitError;
      const std::string type = file->ends_with(".json") ? "application/json" : "application/yaml";
      std::string field;
      Result<Json> submitted = client->Post("/v1/jobs", text, type, &field);
      if (!submitted.ok()) return ctx.Fail(submitted.status(), field);
      const int64_t id = submitted->value("id", int64_t{0});
      if (ctx.json) {
        ctx.PrintJson(*submitted);
        if (*detach) return kExitOk;
      } else {
        ctx.out << fmt::format("job {} submitted ({})\n", id,
                               submitted->value("state", std::string("queued")))
                << std::flush;
      }
      if (*detach) return kExitOk;
      Result<Json> done = FollowJob(ctx, *client, id, 0);
      if (!done.ok()) return ctx.Fail(done.status());
      const std::string state = done->value("state", std::string());
      const std::string reason = done->value("reason", std::string());
      ctx.err << fmt::format("job {} {}{}\n", id, state, reason.empty() ? "" : ": " + reason);
      return ExitCodeForJob(*done);
    };
  });
}

}  // namespace ava::cli
