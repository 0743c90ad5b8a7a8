// `ava node list`: the machines of the pool and their state.
#include <fmt/format.h>

#include <map>
#include <ostream>

#include "cli/cli_context.h"
#include "cli/format.h"
#include "cli/table.h"
#include "common/units.h"

namespace ava::cli {

void RegisterNodeList(CLI::App& node, CliContext& ctx) {
  auto* cmd = node.add_subcommand("list", "List the nodes: state (up, down, drained), GPUs, CPU, memory.");
  cmd->callback([&ctx] {
    ctx.selected = [&ctx] {
      std::unique_ptr<ApiClient> client = ctx.Connect();
      if (client == nullptr) return kExitError;
      Json all = Json::array();
      int64_t after = 0;
      while (true) {
        Result<Json> page = client->Get(fmt::format("/v1/nodes?limit=1000&after_id={}", after));
        if (!page.ok()) return ctx.Fail(page.status());
        for (const Json& n : (*page)["items"]) all.push_back(n);
        if (!(*page)["next_after_id"].is_number_integer()) break;
        after = (*page)["next_after_id"].get<int64_t>();
      }
      if (ctx.json) {
        ctx.PrintJson(all);
        return kExitOk;
      }
      Table t({"NAME", "STATE", "GPUS", "CPUS", "MEMORY", "LAST HEARTBEAT"});
      for (const Json& n : all) {
        std::map<std::string, int> models;
        for (const Json& g : n["gpus"]) models[g.value("model", std::string("?"))] += 1;
        std::string gpus;
        for (const auto& [m, c] : models) gpus += fmt::format("{}{}×{}", gpus.empty() ? "" : " ", c, m);
        t.AddRow({n.value("name", std::string()), n.value("state", std::string()), gpus.empty() ? "-" : gpus,
                  fmt::format("{:g}", n.value("cpu_milli", int64_t{0}) / 1000.0),
                  FormatBytes(n.value("memory_bytes", uint64_t{0})), FormatWhen(n["last_heartbeat"])});
      }
      t.Print(ctx.out);
      return kExitOk;
    };
  });
}

}  // namespace ava::cli
