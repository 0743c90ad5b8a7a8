// `ava job show ID`: a job's record, its events and its stored report.
#include <fmt/format.h>

#include <ostream>

#include "cli/cli_context.h"
#include "cli/format.h"

namespace ava::cli {

void RegisterJobShow(CLI::App& job, CliContext& ctx) {
  auto* cmd =
      job.add_subcommand("show",
                         "Show a job: state, resources, placement, times, reason, its events, and the\n"
                         "report it stored (e.g. the evaluation's accuracy). --json prints the record.");
  auto id = std::make_shared<int64_t>(0);
  cmd->add_option("ID", *id, "job id")->required();
  cmd->callback([&ctx, id] {
    ctx.selected = [&ctx, id] {
      std::unique_ptr<ApiClient> client = ctx.Connect();
      if (client == nullptr) return kExitError;
      Result<Json> j = client->Get(fmt::format("/v1/jobs/{}", *id));
      if (!j.ok()) return ctx.Fail(j.status());
      if (ctx.json) {
        ctx.PrintJson(*j);
        return kExitOk;
      }
      std::ostream& o = ctx.out;
      auto s = [&](const char* key) { return j->value(key, std::string()); };
      o << fmt::format("job {}: {} ({})\n", *id, s("name"), s("kind"));
      o << fmt::format("  state      {}\n", s("state"));
      if (!s("reason").empty()) o << fmt::format("  reason     {}\n", s("reason"));
      const Json group = j->value("group", Json());
      o << fmt::format("  user       {}{}\n", s("user"),
                       group.is_string() ? " (group " + group.get<std::string>() + ")" : "");
      o << fmt::format("  priority   {}\n", j->value("priority", int64_t{0}));
      o << fmt::format("  resources  {}\n", FormatResources((*j)["resources"], j->value("gang", int64_t{1})));
      o << fmt::format("  placement  {}\n", FormatPlacement((*j)["placement"]));
      o << fmt::format("  submitted  {}\n", FormatWhen((*j)["submitted"]));
      o << fmt::format("  started    {}\n", FormatWhen((*j)["started"]));
      o << fmt::format("  finished   {}\n", FormatWhen((*j)["finished"]));
      const Json code = j->value("exit_code", Json());
      if (code.is_number_integer()) o << fmt::format("  exit code  {}\n", code.get<int64_t>());
      Result<Json> events = client->Get(fmt::format("/v1/jobs/{}/events?limit=1000", *id));
      if (events.ok()) {
        o << "events:\n";
        for (const Json& e : (*events)["items"]) {
          o << fmt::format("  {}  {:<15} {}\n", FormatWhen(e["time"]), e.value("type", std::string()),
                           e.value("message", std::string()));
        }
      }
      if (j->contains("report")) {
        o << "report:\n";
        std::string pretty = (*j)["report"].dump(2, ' ', false, Json::error_handler_t::replace);
        size_t start = 0;
        while (start <= pretty.size()) {
          size_t nl = pretty.find('\n', start);
          o << "  " << pretty.substr(start, nl == std::string::npos ? std::string::npos : nl - start) << "\n";
          if (nl == std::string::npos) break;
          start = nl + 1;
        }
      }
      return kExitOk;
    };
  });
}

}  // namespace ava::cli
