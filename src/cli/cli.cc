#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <ostream>

#include "cli/cli_context.h"

namespace ava::cli {
namespace {

constexpr const char* kHelp =
    "ava is the command line of Ava, the GPU cluster platform: submit jobs and follow them, start\n"
    "workspaces, read the queue and the GPU pool, manage quotas and users. It talks to avad's REST API\n"
    "(docs/api.md); `ava login` saves the server and your token in ~/.config/ava/config.yaml.\n"
    "\n"
    "COMMANDS\n"
    "  ava login SERVER [--token T]          save avad's URL and your token (checked first)\n"
    "  ava job submit FILE [-d]              submit a job spec; follow its output to the end\n"
    "  ava job list [--state S] [--user U]   your jobs (admins: all; group admins: the group's)\n"
    "  ava job show ID                       state, placement, events and the stored report\n"
    "  ava job logs ID [-f]                  output; -f follows until the job ends\n"
    "  ava job cancel ID                     cancel (a running job is killed on its node)\n"
    "  ava queue                             waiting jobs with position and reason\n"
    "  ava node list | ava gpu list          the pool\n"
    "  ava quota show | ava quota set …      GPU quotas (set: admins)\n"
    "  ava workspace start|stop|list         interactive environments with an idle timeout\n"
    "  ava user create NAME [--admin]        a new user and their token (admins)\n"
    "\n"
    "Every command takes --json (machine-readable output), --server URL and --token T; the environment\n"
    "variables AVA_SERVER, AVA_TOKEN and AVA_CONFIG (another config file) work too.\n"
    "\n"
    "EXIT STATUS\n"
    "  0    success\n"
    "  1    error (avad refused the request or cannot be reached; a file cannot be read)\n"
    "  2    bad usage\n"
    "  `ava job submit` following a job (and `ava job logs -f --exit-code`) exits with the job's result:\n"
    "  0 succeeded; N the job failed with exit status N; 124 it failed without one (killed, max_runtime);\n"
    "  125 lost (its node stopped answering); 130 cancelled.\n"
    "\n"
    "EXAMPLES\n"
    "  ava login http://avad.example:7070 --token ava_…\n"
    "  ava job submit train.yaml && ava job show --json 12 | jq .report\n"
    "  ava quota set --group cv --model V100 8";

}  // namespace

int RunCli(const std::vector<std::string>& args, const CliEnvironment& env, std::istream& in,
           std::ostream& out, std::ostream& err) {
  CliContext ctx{out, err, in, env};
  CLI::App app{kHelp, "ava"};
  app.fallthrough();
  app.require_subcommand(1);
  app.add_flag("--json", ctx.json, "print JSON for scripts instead of tables");
  app.add_option("--server", ctx.server_flag, "avad's URL (default: from `ava login`)");
  app.add_option("--token", ctx.token_flag, "bearer token (default: from `ava login`)");

  RegisterLogin(app, ctx);
  RegisterQueue(app, ctx);
  CLI::App* job = app.add_subcommand("job", "Submit, list, show, follow and cancel jobs.");
  job->require_subcommand(1);
  RegisterJobSubmit(*job, ctx);
  RegisterJobList(*job, ctx);
  RegisterJobShow(*job, ctx);
  RegisterJobLogs(*job, ctx);
  RegisterJobCancel(*job, ctx);
  CLI::App* node = app.add_subcommand("node", "The machines of the pool.");
  node->require_subcommand(1);
  RegisterNodeList(*node, ctx);
  CLI::App* gpu = app.add_subcommand("gpu", "The GPUs of the pool.");
  gpu->require_subcommand(1);
  RegisterGpuList(*gpu, ctx);
  CLI::App* quota = app.add_subcommand("quota", "GPU quotas of users and groups.");
  quota->require_subcommand(1);
  RegisterQuotaSet(*quota, ctx);
  RegisterQuotaShow(*quota, ctx);
  CLI::App* workspace = app.add_subcommand("workspace", "Interactive environments with an idle timeout.");
  workspace->require_subcommand(1);
  RegisterWorkspaceStart(*workspace, ctx);
  RegisterWorkspaceStop(*workspace, ctx);
  RegisterWorkspaceList(*workspace, ctx);
  CLI::App* user = app.add_subcommand("user", "Users (admins).");
  user->require_subcommand(1);
  RegisterUserCreate(*user, ctx);

  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last-first
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp& e) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    // A subcommand's --help lands here too (CLI11 raises it from the subcommand).
    if (e.get_exit_code() == 0) {
      out << e.what() << "\n";
      return kExitOk;
    }
    err << "ava: " << e.what() << "\nRun 'ava --help' for the commands.\n";
    return kExitUsage;
  }
  if (!ctx.selected) {
    err << "ava: no command given. Run 'ava --help' for the commands.\n";
    return kExitUsage;
  }
  return ctx.selected();
}

}  // namespace ava::cli
