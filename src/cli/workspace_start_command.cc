// `ava workspace start [FILE] [--gpus N] [--idle-timeout D] …`: an interactive environment.
#include <fmt/format.h>

#include <ostream>

#include "cli/cli_context.h"
#include "common/file_util.h"

namespace ava::cli {

void RegisterWorkspaceStart(CLI::App& workspace, CliContext& ctx) {
  auto* cmd = workspace.add_subcommand(
      "start",
      "Start a workspace: an interactive environment on the cluster's GPUs and storage that is stopped\n"
      "after idle_timeout without activity (no output and no activity reported by its node). Give a spec\n"
      "FILE (kind: workspace), or describe it with the flags.");
  auto file = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto gpus = std::make_shared<int>(-1);
  auto milli = std::make_shared<int>(0);
  auto model = std::make_shared<std::string>();
  auto cpus = std::make_shared<double>(0);
  auto memory = std::make_shared<std::string>();
  auto idle = std::make_shared<std::string>();
  auto command = std::make_shared<std::string>();
  cmd->add_option("FILE", *file, "a workspace spec (YAML or JSON)");
  cmd->add_option("--name", *name, "a name to recognise it by");
  cmd->add_option("--gpus", *gpus, "whole GPUs");
  cmd->add_option("--gpu-milli", *milli, "a share of one GPU in milli-GPUs (500 = half)");
  cmd->add_option("--gpu-model", *model, "acceptable GPU models, e.g. V100|A100");
  cmd->add_option("--cpus", *cpus, "CPU cores");
  cmd->add_option("--memory", *memory, "memory, e.g. 16GiB");
  cmd->add_option("--idle-timeout", *idle, "stop it after this long idle (default 1h)");
  cmd->add_option("--command", *command, "what it runs, via /bin/sh -c (default: sleep infinity)");
  cmd->callback([=, &ctx] {
    ctx.selected = [=, &ctx] {
      std::string body;
      std::string type = "application/json";
      if (!file->empty()) {
        Result<std::string> read = ReadFile(*file);
        if (!read.ok()) return ctx.Fail(read.status().Annotate(*file));
        body = std::move(read).value();
        type = file->ends_with(".json") ? "application/json" : "application/yaml";
      } else {
        Json spec = {{"kind", "workspace"}};
        Json res = Json::object();
        if (!name->empty()) spec["name"] = *name;
        if (*gpus >= 0) res["gpus"] = *gpus;
        if (*milli > 0) res["gpu_milli"] = *milli;
        if (!model->empty()) res["gpu_model"] = *model;
        if (*cpus > 0) res["cpus"] = *cpus;
        if (!memory->empty()) res["memory"] = *memory;
        if (!res.empty()) spec["resources"] = res;
        if (!idle->empty()) spec["idle_timeout"] = *idle;
        if (!command->empty()) spec["command"] = *command;
        body = spec.dump();
      }
      std::unique_ptr<ApiClient> client = ctx.Connect();
      if (client == nullptr) return kExitError;
      std::string field;
      Result<Json> ws = client->Post("/v1/workspaces", body, type, &field);
      if (!ws.ok()) return ctx.Fail(ws.status(), field);
      if (ctx.json) {
        ctx.PrintJson(*ws);
      } else {
        ctx.out << fmt::format("workspace {} started ({}); `ava job logs -f {}` shows its output\n",
                               ws->value("id", int64_t{0}), ws->value("state", std::string()),
                               ws->value("id", int64_t{0}));
      }
      return kExitOk;
    };
  });
}

}  // namespace ava::cli
