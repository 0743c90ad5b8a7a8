// ApiTestEnv: an avad in-process for API tests — a db::Store (SQLite in memory unless a test gives
// another), a FakeClock shared by the store and the control plane, the REST server on an
// ephemeral port of 127.0.0.1 without its background ticker (tests call Tick() after moving the
// clock), an admin, and helpers that speak HTTP to it as users and as agents do.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "api/api_server.h"
#include "api/bootstrap.h"
#include "api/json_records.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "db/open_store.h"
#include "test_util.h"

namespace ava::api::testing {

using Json = nlohmann::json;

struct Answer {
  int status = 0;
  std::string body;
  Json json;  // null when the body is not JSON

  std::string ErrorCode() const { return json.is_object() ? json["error"].value("code", "") : ""; }
  std::string ErrorField() const { return json.is_object() ? json["error"].value("field", "") : ""; }
  std::string ErrorMessage() const { return json.is_object() ? json["error"].value("message", "") : ""; }
};

inline std::ostream& operator<<(std::ostream& os, const Answer& a) { return os << a.status << " " << a.body; }

// An inventory of one node with `gpus` GPUs of `model` (the inventory-file format, as JSON).
inline Json NodeInventoryJson(int gpus, const std::string& model, int cpus = 32,
                              const std::string& memory = "256GiB") {
  Json node = {{"cpu", std::to_string(cpus)}, {"memory", memory}};
  if (gpus > 0) node["gpu"] = {{"model", model}, {"memory", "32GiB"}, {"count", gpus}};
  return node;
}

class ApiTestEnv {
 public:
  // `store_url` "" means sqlite::memory:. `planner` null: the default (FIFO over the ava policy).
  explicit ApiTestEnv(std::string store_url = "", std::unique_ptr<PoolPlanner> planner = nullptr,
                      ControlPlaneOptions plane = {}) {
    db::StoreOptions so;
    so.clock = &clock;
    Result<std::unique_ptr<db::Store>> s =
        db::OpenStore(store_url.empty() ? "sqlite::memory:" : store_url, so);
    EXPECT_TRUE(s.ok()) << s.status();
    if (!s.ok()) return;
    store = std::move(s).value();
    ApiServerOptions options;
    options.plane = plane;
    options.tick_interval = std::chrono::milliseconds(0);
    options.http_threads = 16;
    Result<std::unique_ptr<ApiServer>> server_or =
        ApiServer::Create(*store, clock, options, &logger, &metrics, std::move(planner));
    EXPECT_TRUE(server_or.ok()) << server_or.status();
    server = std::move(server_or).value();
    Result<int> port = server->Start("127.0.0.1", 0);
    EXPECT_TRUE(port.ok()) << port.status();
    Result<std::optional<std::string>> admin = EnsureAdmin(*store, "root");
    EXPECT_TRUE(admin.ok()) << admin.status();
    if (admin.ok() && admin->has_value()) {
      admin_token = **admin;
    } else if (admin.ok()) {  // a database reopened: the admin exists; give it a fresh token
      Result<db::User> root = store->GetUserByName("root");
      Result<db::IssuedToken> t = root.ok() ? store->CreateToken(root->id, "test", std::nullopt)
                                            : Result<db::IssuedToken>(root.status());
      EXPECT_TRUE(t.ok()) << t.status();
      if (t.ok()) admin_token = t->secret;
    }
  }
  ~ApiTestEnv() {
    if (server != nullptr) server->Stop();
  }

  bool ok() const { return server != nullptr && !admin_token.empty(); }
  int port() const { return server->port(); }
  ControlPlane& plane() { return server->plane(); }

  Answer Call(const std::string& method, const std::string& path, const std::string& token,
              const std::string& body = "", const std::string& content_type = "application/json",
              httplib::Headers headers = {}) {
    httplib::Client c("127.0.0.1", port());
    c.set_read_timeout(60, 0);
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    httplib::Result r = method == "GET"    ? c.Get(path, headers)
                        : method == "POST" ? c.Post(path, headers, body, content_type)
                        : method == "PUT"  ? c.Put(path, headers, body, content_type)
                                           : c.Delete(path, headers, body, content_type);
    Answer a;
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": no answer (" << httplib::to_string(r.error()) << ")";
      return a;
    }
    a.status = r->status;
    a.body = r->body;
    a.json = Json::parse(r->body, nullptr, false);
    if (a.json.is_discarded()) a.json = nullptr;
    return a;
  }
  Answer Get(const std::string& path, const std::string& token) { return Call("GET", path, token); }
  Answer Post(const std::string& path, const std::string& token, const Json& body) {
    return Call("POST", path, token, body.dump());
  }

  // A user with a token; `group` non-empty: created if needed, the user joins it with `role`.
  std::string AddUser(const std::string& name, const std::string& group = "",
                      const std::string& role = "member") {
    if (!group.empty()) Call("POST", "/v1/groups", admin_token, Json{{"name", group}}.dump());
    Json body = {{"name", name}};
    if (!group.empty()) body["groups"] = Json::array({{{"group", group}, {"role", role}}});
    Answer a = Post("/v1/users", admin_token, body);
    EXPECT_EQ(a.status, 201) << a;
    return a.json.is_object() ? a.json.value("token", "") : "";
  }

  // Registers node `name` through the agent protocol; returns the agent's token.
  std::string AddNode(const std::string& name, int gpus, const std::string& model = "V100") {
    Result<std::string> token = IssueNodeToken(*store, name);
    EXPECT_TRUE(token.ok()) << token.status();
    Answer a = Post("/v1/agent/register", *token,
                    Json{{"node", name},
                         {"address", "10.0.0.1:7070"},
                         {"inventory", NodeInventoryJson(gpus, model)},
                         {"agent_version", "test"}});
    EXPECT_EQ(a.status, 200) << a;
    return token.ok() ? *token : "";
  }

  Answer Heartbeat(const std::string& node, const std::string& token, Json running = Json::array(),
                   Json finished = Json::array()) {
    return Post("/v1/agent/heartbeat", token,
                Json{{"node", node}, {"running", running}, {"finished", finished}});
  }

  // Submits a spec (YAML); returns the job id, or 0 with a test failure.
  int64_t Submit(const std::string& token, const std::string& yaml) {
    Answer a = Call("POST", "/v1/jobs", token, yaml, "application/yaml");
    EXPECT_EQ(a.status, 201) << a;
    return a.status == 201 ? a.json.value("id", int64_t{0}) : 0;
  }

  // Lets `total` pass in steps of 10 s, the agent of `node` heartbeating `running` at every step
  // and the control plane ticking, as a live cluster would.
  void Elapse(Nanos total, const std::string& node, const std::string& agent, const Json& running) {
    const Nanos step = std::chrono::seconds(10);
    for (Nanos done{0}; done < total; done += step) {
      clock.Advance(std::min(step, total - done));
      Heartbeat(node, agent, running);
      EXPECT_OK(plane().Tick());
    }
  }

  std::string JobState(int64_t id, const std::string& token) {
    Answer a = Get("/v1/jobs/" + std::to_string(id), token);
    return a.json.is_object() ? a.json.value("state", "") : a.body;
  }

  FakeClock clock;
  CapturingLogger logger;
  MetricsRegistry metrics;
  std::unique_ptr<db::Store> store;
  std::unique_ptr<ApiServer> server;
  std::string admin_token;
};

}  // namespace ava::api::testing
