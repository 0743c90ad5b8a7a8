// `ava user create NAME [--admin] [--group G] [--group-admin G]` (admins): prints the new token once.
#include <fmt/format.h>

#include <ostream>

#include "cli/cli_context.h"

namespace ava::cli {

void RegisterUserCreate(CLI::App& user, CliContext& ctx) {
  auto* cmd = user.add_subcommand("create",
                                  "Create a user (admins) and print the user's token, shown this once.\n"
                                  "The groups must exist (POST /v1/groups).");
  auto name = std::make_shared<std::string>();
  auto admin = std::make_shared<bool>(false);
  auto groups = std::make_shared<std::vector<std::string>>();
  auto admin_of = std::make_shared<std::vector<std::string>>();
  cmd->add_option("NAME", *name, "user name: a-z, 0-9, '.', '_', '-'")->required();
  cmd->add_flag("--admin", *admin, "make the user an admin of avad");
  cmd->add_option("--group", *groups, "a group to join as a member (repeatable)");
  cmd->add_option("--group-admin", *admin_of, "a group to join as its admin (repeatable)");
  cmd->callback([=, &ctx] {
    ctx.selected = [=, &ctx] {
      std::unique_ptr<ApiClient> client = ctx.Connect();
      if (client == nullptr) return kExitError;
      Json body = {{"name", *name}, {"is_admin", *admin}, {"groups", Json::array()}};
      for (const std::string& g : *groups) body["groups"].push_back({{"group", g}, {"role", "member"}});
      for (const std::string& g : *admin_of) body["groups"].push_back({{"group", g}, {"role", "admin"}});
      std::string field;
      Result<Json> made = client->Post("/v1/users", body.dump(), "application/json", &field);
      if (!made.ok()) return ctx.Fail(made.status(), field);
      if (ctx.json) {
        ctx.PrintJson(*made);
      } else {
        ctx.out << fmt::format("created user {}; their token (shown once):\n{}\n", *name,
                               made->value("token", std::string()));
      }
      return kExitOk;
    };
  });
}

}  // namespace ava::cli
