// `ava gpu list`: every GPU of the pool and what is allocated on it.
#include <fmt/format.h>

#include <ostream>

#include "cli/cli_context.h"
#include "cli/table.h"
#include "common/units.h"

namespace ava::cli {

void RegisterGpuList(CLI::App& gpu, CliContext& ctx) {
  auto* cmd = gpu.add_subcommand(
      "list", "List every GPU: node, index, model, memory, how much is allocated, to which jobs.");
  cmd->callback([&ctx] {
    ctx.selected = [&ctx] {
      std::unique_ptr<ApiClient> client = ctx.Connect();
      if (client == nullptr) return kExitError;
      Result<Json> gpus = client->Get("/v1/gpus");
      if (!gpus.ok()) return ctx.Fail(gpus.status());
      if (ctx.json) {
        ctx.PrintJson((*gpus)["items"]);
        return kExitOk;
      }
      Table t({"NODE", "GPU", "MODEL", "MEMORY", "ALLOCATED", "JOBS"});
      for (const Json& g : (*gpus)["items"]) {
        std::vector<std::string> jobs;
        for (const Json& j : g["jobs"]) jobs.push_back(j.dump());
        std::string node = g.value("node", std::string());
        if (g.value("node_state", std::string("up")) != "up")
          node += " (" + g.value("node_state", std::string()) + ")";
        t.AddRow({node, std::to_string(g.value("index", 0)), g.value("model", std::string()),
                  FormatBytes(g.value("memory_bytes", uint64_t{0})),
                  fmt::format("{:g}", g.value("allocated_milli", int64_t{0}) / 1000.0),
                  jobs.empty() ? "-" : fmt::format("{}", fmt::join(jobs, ","))});
      }
      t.Print(ctx.out);
      return kExitOk;
    };
  });
}

}  // namespace ava::cli
