// `ava job submit FILE [-d]`: submits a job spec; unless detached, follows its logs to the end and
// exits with the job's result (cli_context.h lists the codes).
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <istream>
#include <iterator>
#include <ostream>

#include "cli/cli_context.h"
#include "common/file_util.h"

namespace ava::cli {

namespace {

// A relative `workdir` in a spec file means "relative to the file", as paths in a compose file do:
// `ava job submit examples/fashion-mnist/train.yaml` with `workdir: .` runs in that directory.
// (The directory must exist on the node that runs the job; in a pool, put code on shared storage.)
// Specs the parser cannot read are sent as they are, so avad reports the error with its field.
std::string ResolveWorkdir(const std::string& text, const std::string& file) {
  try {
    YAML::Node spec = YAML::Load(text);
    if (!spec.IsMap() || !spec["workdir"] || !spec["workdir"].IsScalar()) return text;
    const std::string workdir = spec["workdir"].Scalar();
    if (workdir.empty() || workdir.front() == '/') return text;
    std::filesystem::path dir = std::filesystem::absolute(std::filesystem::path(file)).parent_path();
    spec["workdir"] = std::filesystem::weakly_canonical(dir / workdir).string();
    YAML::Emitter out;
    out << spec;
    return out.c_str();
  } catch (const std::exception&) {
    return text;
  }
}

}  // namespace

void RegisterJobSubmit(CLI::App& job, CliContext& ctx) {
  auto* cmd = job.add_subcommand(
      "submit",
      "Submit the job spec in FILE (YAML, or JSON when it ends in .json; '-' reads stdin)\n"
      "and print its id. Unless -d is given, follow its output until it ends and exit\n"
      "with its result: 0 succeeded, its exit status when it failed with one, 124 failed\n"
      "without one, 125 lost, 130 cancelled. Ctrl-C stops following; the job keeps running.");
  auto file = std::make_shared<std::string>();
  auto detach = std::make_shared<bool>(false);
  cmd->add_option(
         "FILE", *file,
         "the job spec (docs/api.md, \"Job spec\"); a relative workdir is taken from FILE's directory")
      ->required();
  cmd->add_flag("-d,--detach", *detach, "print the id and return at once");
  cmd->callback([&ctx, file, detach] {
    ctx.selected = [&ctx, file, detach] {
      std::string text;
      if (*file == "-") {
        text.assign(std::istreambuf_iterator<char>(ctx.in), std::istreambuf_iterator<char>());
      } else {
        Result<std::string> read = ReadFile(*file);
        if (!read.ok()) return ctx.Fail(read.status().Annotate(*file));
        text = ResolveWorkdir(*read, *file);
      }
      std::unique_ptr<ApiClient> client = ctx.Connect();
      if (client == nullptr) return kExitError;
      const std::string type = file->ends_with(".json") &&
                                       text.find_first_not_of(" \t\r\n") != std::string::npos &&
                                       text[text.find_first_not_of(" \t\r\n")] == '{'
                                   ? "application/json"
                                   : "application/yaml";
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
