// `ava login SERVER [--token TOKEN]`: checks the token with avad and saves both, mode 0600.
#include <fmt/format.h>

#include <istream>
#include <ostream>

#include "cli/cli_context.h"

namespace ava::cli {

void RegisterLogin(CLI::App& app, CliContext& ctx) {
  auto* cmd =
      app.add_subcommand("login",
                         "Save avad's URL and your token in ~/.config/ava/config.yaml (mode 0600) after\n"
                         "checking them. Without --token the token is read from standard input.");
  auto server = std::make_shared<std::string>();
  auto token = std::make_shared<std::string>();
  cmd->add_option("SERVER", *server, "avad's URL, e.g. http://avad.example:7070")->required();
  cmd->add_option("--token", *token, "your token (from `avad init`, `ava user create` or POST /v1/tokens)");
  cmd->callback([&ctx, server, token] {
    ctx.selected = [&ctx, server, token] {
      std::string t = *token;
      if (t.empty()) {
        ctx.err << "token: " << std::flush;
        std::getline(ctx.in, t);
        while (!t.empty() && (t.back() == '\r' || t.back() == ' ')) t.pop_back();
      }
      if (t.empty()) return ctx.Fail(Status::InvalidArgument("no token given"));
      Result<std::unique_ptr<ApiClient>> client = ApiClient::Create(*server, t);
      if (!client.ok()) return ctx.Fail(client.status());
      Result<Json> me = (*client)->Get("/v1/whoami");
      if (!me.ok()) return ctx.Fail(me.status().Annotate(fmt::format("logging in to {}", *server)));
      const std::string path = ClientConfigPath(ctx.env);
      Status saved = SaveClientConfig(path, ClientConfig{(*client)->server(), t});
      if (!saved.ok()) return ctx.Fail(saved);
      if (ctx.json) {
        ctx.PrintJson(*me);
      } else {
        ctx.out << fmt::format("logged in to {} as {}{}; saved in {}\n", (*client)->server(),
                               me->value("user", std::string("?")),
                               me->value("is_admin", false) ? " (admin)" : "", path);
      }
      return kExitOk;
    };
  });
}

}  // namespace ava::cli
