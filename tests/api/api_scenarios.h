// The API scenarios every store backend must pass: one set of TEST_P cases over a running avad
// (ApiTestEnv). api_scenarios_test.cc instantiates them on SQLite in memory;
// postgres/api_scenarios_postgres_test.cc on a real PostgreSQL named by AVA_PG_URL.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <thread>

#include "api_test_env.h"
#include "common/metrics.h"

namespace ava::api::testing {

// Gives each test a database URL; `skip` non-empty: why the backend cannot run here.
struct StoreBackend {
  std::string name;
  std::function<std::string(std::string* skip)> url;
};
inline void PrintTo(const StoreBackend& b, std::ostream* os) { *os << b.name; }
inline std::string BackendName(const ::testing::TestParamInfo<StoreBackend>& info) { return info.param.name; }

class ApiScenarioTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    std::string skip;
    const std::string url = GetParam().url(&skip);
    if (!skip.empty()) GTEST_SKIP() << skip;
    env_ = std::make_unique<ApiTestEnv>(url);
    ASSERT_TRUE(env_->ok());
  }
  void TearDown() override { env_.reset(); }

  ApiTestEnv& env() { return *env_; }
  std::string Path(int64_t id, const std::string& tail = "") {
    return "/v1/jobs/" + std::to_string(id) + tail;
  }
  std::vector<std::string> EventTypes(int64_t id, const std::string& token) {
    Answer a = env().Get(Path(id, "/events"), token);
    std::vector<std::string> out;
    for (const Json& e : a.json["items"]) out.push_back(e["type"]);
    return out;
  }
  std::string EventMessage(int64_t id, const std::string& token, const std::string& type) {
    Answer a = env().Get(Path(id, "/events"), token);
    std::string out;
    for (const Json& e : a.json["items"]) {
      if (e["type"] == type) out = e["message"];
    }
    return out;
  }
  // Runs job `id` on `node`: the heartbeat that hands it out, then the one that reports it running.
  Json StartOn(const std::string& node, const std::string& agent, int64_t id) {
    Answer first = env().Heartbeat(node, agent);
    Json order;
    for (const Json& s : first.json["start"]) {
      if (s["job_id"] == id) order = s;
    }
    EXPECT_FALSE(order.is_null()) << "job " << id << " was not handed out: " << first;
    env().Heartbeat(node, agent, Json::array({{{"job_id", id}, {"pid", 4242}, {"state", "running"}}}));
    return order;
  }

  std::unique_ptr<ApiTestEnv> env_;
};

constexpr const char* kOneGpu = "name: train\ncommand: [python3, train.py]\nresources: {gpus: 1}\n";
constexpr const char* kTwoGpus =
    "name: train2\ncommand: [python3, train.py]\nresources: {gpus: 2, cpus: 4}\n";

TEST_P(ApiScenarioTest, MissingOrWrongTokensAre401AndWrongRolesAre403) {
  Answer none = env().Get("/v1/jobs", "");
  EXPECT_EQ(none.status, 401) << none;
  EXPECT_EQ(none.ErrorCode(), "Unauthenticated");
  Answer wrong = env().Get("/v1/jobs", "ava_not-a-real-token");
  EXPECT_EQ(wrong.status, 401) << wrong;
  Answer basic = env().Call("GET", "/v1/jobs", "", "", "application/json", {{"Authorization", "Basic eDp5"}});
  EXPECT_EQ(basic.status, 401) << basic;

  const std::string alice = env().AddUser("alice");
  Answer not_admin = env().Post("/v1/users", alice, Json{{"name", "mallory"}});
  EXPECT_EQ(not_admin.status, 403) << not_admin;
  EXPECT_EQ(not_admin.ErrorCode(), "PermissionDenied");
  Answer drain = env().Post("/v1/nodes/n1/drain", alice, Json::object());
  EXPECT_EQ(drain.status, 403) << drain;

  const std::string agent = env().AddNode("n1", 2);
  Answer agent_as_user = env().Get("/v1/jobs", agent);
  EXPECT_EQ(agent_as_user.status, 403) << agent_as_user;
  Answer user_as_agent = env().Heartbeat("n1", alice);
  EXPECT_EQ(user_as_agent.status, 403) << user_as_agent;
  const std::string other_agent = env().AddNode("n2", 2);
  Answer wrong_node = env().Heartbeat("n1", other_agent);
  EXPECT_EQ(wrong_node.status, 403) << wrong_node;
  EXPECT_EQ(wrong_node.ErrorField(), "node");

  EXPECT_EQ(env().Get("/healthz", "").status, 200);
  EXPECT_EQ(env().Get("/v1/openapi.json", "").status, 200);
  Answer me = env().Get("/v1/whoami", alice);
  EXPECT_EQ(me.json["user"], "alice");
  EXPECT_EQ(me.json["is_admin"], false);
  Answer unknown = env().Get("/v1/no-such-thing", alice);
  EXPECT_EQ(unknown.status, 404) << unknown;
  EXPECT_EQ(unknown.ErrorCode(), "NotFound");
}

TEST_P(ApiScenarioTest, OthersJobsAnswer404AndGroupAdminsSeeTheirGroup) {
  env().AddNode("n1", 4);
  const std::string alice = env().AddUser("alice", "cv");
  const std::string bob = env().AddUser("bob");
  const std::string carol = env().AddUser("carol", "cv", "admin");
  const int64_t id = env().Submit(alice, kOneGpu);
  ASSERT_GT(id, 0);

  for (const char* tail : {"", "/events", "/logs"}) {
    Answer a = env().Get(Path(id, tail), bob);
    EXPECT_EQ(a.status, 404) << tail << ": " << a;
  }
  Answer bob_cancel = env().Post(Path(id, "/cancel"), bob, Json::object());
  EXPECT_EQ(bob_cancel.status, 404) << bob_cancel;
  Answer missing = env().Get(Path(id + 1000), bob);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.ErrorMessage().find("not found") != std::string::npos,
            bob_cancel.ErrorMessage().find("not found") != std::string::npos);

  EXPECT_EQ(env().Get("/v1/jobs", bob).json["items"].size(), 0u);
  EXPECT_EQ(env().Get("/v1/jobs", alice).json["items"].size(), 1u);
  EXPECT_EQ(env().Get("/v1/jobs", carol).json["items"].size(), 1u);
  EXPECT_EQ(env().Get("/v1/jobs?user=alice", env().admin_token).json["items"].size(), 1u);
  EXPECT_EQ(env().Get(Path(id), carol).status, 200);
  EXPECT_EQ(env().Get(Path(id), env().admin_token).status, 200);

  Answer carol_cancel = env().Post(Path(id, "/cancel"), carol, Json::object());
  ASSERT_EQ(carol_cancel.status, 200) << carol_cancel;
  EXPECT_EQ(carol_cancel.json["state"], "cancelled");
  EXPECT_EQ(carol_cancel.json["reason"], "cancelled by carol");
  Answer again = env().Post(Path(id, "/cancel"), alice, Json::object());
  EXPECT_EQ(again.status, 409) << again;
}

TEST_P(ApiScenarioTest, MalformedSpecsAre400NamingTheField) {
  env().AddNode("n1", 4);
  const std::string alice = env().AddUser("alice");
  Answer bad =
      env().Call("POST", "/v1/jobs", alice, "command: [a]\nresources: {gpus: lots}\n", "application/yaml");
  EXPECT_EQ(bad.status, 400) << bad;
  EXPECT_EQ(bad.ErrorCode(), "InvalidArgument");
  EXPECT_EQ(bad.ErrorField(), "resources.gpus");
  Answer typo = env().Post("/v1/jobs", alice, Json{{"command", {"a"}}, {"resource", {{"gpus", 1}}}});
  EXPECT_EQ(typo.status, 400) << typo;
  EXPECT_EQ(typo.ErrorField(), "resource");
  EXPECT_NE(typo.ErrorMessage().find("did you mean 'resources'"), std::string::npos) << typo;
  Answer garbage = env().Call("POST", "/v1/jobs", alice, "{{{", "application/json");
  EXPECT_EQ(garbage.status, 400) << garbage;
  Answer group = env().Call("POST", "/v1/jobs", alice, "command: [a]\ngroup: nope\n", "application/yaml");
  EXPECT_EQ(group.status, 400) << group;
  EXPECT_EQ(group.ErrorField(), "group");
  Answer json_ok = env().Post("/v1/jobs", alice, Json{{"command", {"true"}}, {"resources", {{"gpus", 1}}}});
  EXPECT_EQ(json_ok.status, 201) << json_ok;
  EXPECT_EQ(json_ok.json["state"], "queued");
  Answer bad_id = env().Get("/v1/jobs/abc", alice);
  EXPECT_EQ(bad_id.status, 400) << bad_id;
  EXPECT_EQ(bad_id.ErrorField(), "id");
  Answer bad_page = env().Get("/v1/jobs?limit=5000", alice);
  EXPECT_EQ(bad_page.status, 400) << bad_page;
  EXPECT_EQ(bad_page.ErrorField(), "limit");
}

TEST_P(ApiScenarioTest, ImpossibleRequestsAreRejectedWithTheReason) {
  env().AddNode("n1", 8, "V100");
  env().AddNode("n2", 4, "V100");
  const std::string alice = env().AddUser("alice");
  Answer big =
      env().Call("POST", "/v1/jobs", alice, "command: [a]\nresources: {gpus: 16}\n", "application/yaml");
  EXPECT_EQ(big.status, 409) << big;
  EXPECT_EQ(big.ErrorField(), "resources");
  EXPECT_NE(big.ErrorMessage().find("never run"), std::string::npos) << big;
  EXPECT_NE(big.ErrorMessage().find("8"), std::string::npos) << big;
  Answer model = env().Call("POST", "/v1/jobs", alice,
                            "command: [a]\nresources: {gpus: 1, gpu_model: A100}\n", "application/yaml");
  EXPECT_EQ(model.status, 400) << model;
  EXPECT_EQ(model.ErrorField(), "resources.gpu_model");
  EXPECT_NE(model.ErrorMessage().find("V100"), std::string::npos) << model;
  Answer cpus =
      env().Call("POST", "/v1/jobs", alice, "command: [a]\nresources: {cpus: 1000}\n", "application/yaml");
  EXPECT_EQ(cpus.status, 409) << cpus;
  EXPECT_EQ(env().Get("/v1/jobs", alice).json["items"].size(), 0u);
}

TEST_P(ApiScenarioTest, AJobRunsToSuccessWithEventsLogsAndReport) {
  const std::string agent = env().AddNode("n1", 4);
  const std::string alice = env().AddUser("alice");
  const int64_t id = env().Submit(alice, kTwoGpus);
  ASSERT_GT(id, 0);
  Answer scheduled = env().Get(Path(id), alice);
  EXPECT_EQ(scheduled.json["state"], "scheduled") << scheduled;
  EXPECT_EQ(scheduled.json["nodes"], Json::array({"n1"}));
  EXPECT_EQ(scheduled.json["spec"]["command"], Json::array({"python3", "train.py"}));

  Answer hb = env().Heartbeat("n1", agent);
  ASSERT_EQ(hb.status, 200) << hb;
  ASSERT_EQ(hb.json["start"].size(), 1u) << hb;
  const Json& order = hb.json["start"][0];
  EXPECT_EQ(order["job_id"], id);
  EXPECT_EQ(order["gpus"].size(), 2u);
  EXPECT_EQ(order["member"], 0);
  EXPECT_EQ(order["gang_size"], 1);
  EXPECT_EQ(order["env"]["CUDA_VISIBLE_DEVICES"], order["visible_devices"]);
  EXPECT_EQ(order["spec"]["resources"]["gpus"], 2);
  // Handed out once.
  EXPECT_EQ(env().Heartbeat("n1", agent).json["start"].size(), 0u);
  Answer gpus = env().Get("/v1/gpus", alice);
  int64_t allocated = 0;
  for (const Json& g : gpus.json["items"]) allocated += g["allocated_milli"].get<int64_t>();
  EXPECT_EQ(allocated, 2000);

  env().Heartbeat("n1", agent, Json::array({{{"job_id", id}, {"pid", 77}, {"state", "running"}}}));
  EXPECT_EQ(env().JobState(id, alice), "running");
  Answer logs = env().Post("/v1/agent/jobs/" + std::to_string(id) + "/logs", agent,
                           Json{{"chunks", Json::array({{{"stream", "stdout"}, {"data", "epoch 1\n"}},
                                                        {{"stream", "stderr"}, {"data", "warning\n"}}})}});
  EXPECT_EQ(logs.status, 200) << logs;
  Json report = {{"accuracy", 0.85}, {"images", 60000}};
  env().Heartbeat(
      "n1", agent, Json::array(),
      Json::array(
          {{{"job_id", id}, {"exit_code", 0}, {"signal", nullptr}, {"error", ""}, {"report", report}}}));
  Answer done = env().Get(Path(id), alice);
  EXPECT_EQ(done.json["state"], "succeeded") << done;
  EXPECT_EQ(done.json["exit_code"], 0);
  EXPECT_EQ(done.json["report"], report);
  EXPECT_EQ(EventTypes(id, alice),
            (std::vector<std::string>{"job.queued", "job.scheduled", "job.running", "job.succeeded"}));
  EXPECT_NE(EventMessage(id, alice, "job.scheduled").find("n1"), std::string::npos);
  Answer text = env().Get(Path(id, "/logs"), alice);
  EXPECT_EQ(text.body, "epoch 1\nwarning\n");
  Answer after = env().Get(Path(id, "/logs?after_seq=1"), alice);
  EXPECT_EQ(after.body, "warning\n");
  Answer lines = env().Call("GET", Path(id, "/logs"), alice, "", "", {{"Accept", "application/x-ndjson"}});
  EXPECT_NE(lines.body.find("\"stream\":\"stderr\""), std::string::npos) << lines.body;
  gpus = env().Get("/v1/gpus", alice);
  for (const Json& g : gpus.json["items"]) EXPECT_EQ(g["allocated_milli"], 0) << g;
}

TEST_P(ApiScenarioTest, AFailedJobKeepsItsExitCodeAndError) {
  const std::string agent = env().AddNode("n1", 1);
  const std::string alice = env().AddUser("alice");
  const int64_t id = env().Submit(alice, kOneGpu);
  StartOn("n1", agent, id);
  env().Heartbeat("n1", agent, Json::array(),
                  Json::array({{{"job_id", id}, {"exit_code", 3}, {"error", "CUDA out of memory"}}}));
  Answer a = env().Get(Path(id), alice);
  EXPECT_EQ(a.json["state"], "failed");
  EXPECT_EQ(a.json["exit_code"], 3);
  const std::string msg = EventMessage(id, alice, "job.failed");
  EXPECT_NE(msg.find("exit code 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("CUDA out of memory"), std::string::npos) << msg;
}

TEST_P(ApiScenarioTest, CancellingARunningJobKillsItBeforeItsGpusAreReused) {
  const std::string agent = env().AddNode("n1", 1);
  const std::string alice = env().AddUser("alice");
  const int64_t first = env().Submit(alice, kOneGpu);
  StartOn("n1", agent, first);
  const int64_t second = env().Submit(alice, kOneGpu);
  EXPECT_EQ(env().JobState(second, alice), "queued");

  Answer c = env().Post(Path(first, "/cancel"), alice, Json::object());
  ASSERT_EQ(c.status, 200) << c;
  EXPECT_EQ(c.json["state"], "cancelled");
  EXPECT_EQ(env().JobState(second, alice), "scheduled");
  // The agent still runs the cancelled job: it is told to kill it, and the GPU is not handed on yet.
  Answer hb =
      env().Heartbeat("n1", agent, Json::array({{{"job_id", first}, {"pid", 1}, {"state", "running"}}}));
  ASSERT_EQ(hb.json["kill"].size(), 1u) << hb;
  EXPECT_EQ(hb.json["kill"][0]["job_id"], first);
  EXPECT_EQ(hb.json["kill"][0]["reason"], "cancelled by alice");
  EXPECT_EQ(hb.json["start"].size(), 0u) << hb;
  // Killed: now the next job gets the GPU, and the late exit report does not change the record.
  hb = env().Heartbeat("n1", agent, Json::array(),
                       Json::array({{{"job_id", first}, {"exit_code", nullptr}, {"signal", 9}}}));
  EXPECT_EQ(hb.json["kill"].size(), 0u) << hb;
  ASSERT_EQ(hb.json["start"].size(), 1u) << hb;
  EXPECT_EQ(hb.json["start"][0]["job_id"], second);
  EXPECT_EQ(env().JobState(first, alice), "cancelled");
}

TEST_P(ApiScenarioTest, QuotasHoldJobsBackWithTheReasonInTheQueue) {
  env().AddNode("n1", 8);
  const std::string alice = env().AddUser("alice", "cv");
  const std::string bob = env().AddUser("bob", "cv");
  Answer q =
      env().Call("PUT", "/v1/quotas", env().admin_token,
                 Json{{"scope", "user"}, {"name", "alice"}, {"gpu_model", "*"}, {"max_gpus", 1}}.dump());
  ASSERT_EQ(q.status, 200) << q;
  Answer not_admin = env().Call("PUT", "/v1/quotas", alice,
                                Json{{"scope", "user"}, {"name", "alice"}, {"max_gpus", 9}}.dump());
  EXPECT_EQ(not_admin.status, 403);
  Answer unknown = env().Call("PUT", "/v1/quotas", env().admin_token,
                              Json{{"scope", "user"}, {"name", "zed"}, {"max_gpus", 1}}.dump());
  EXPECT_EQ(unknown.status, 400) << unknown;
  EXPECT_EQ(unknown.ErrorField(), "name");

  const int64_t one = env().Submit(alice, kOneGpu);
  const int64_t two = env().Submit(alice, kOneGpu);
  const int64_t bobs = env().Submit(bob, kOneGpu);
  EXPECT_EQ(env().JobState(one, alice), "scheduled");
  EXPECT_EQ(env().JobState(two, alice), "queued");
  EXPECT_EQ(env().JobState(bobs, bob), "scheduled");  // a quota-held job does not block others
  Answer queue = env().Get("/v1/queue", bob);
  ASSERT_EQ(queue.json["items"].size(), 1u) << queue;
  const Json& w = queue.json["items"][0];
  EXPECT_EQ(w["id"], two);
  EXPECT_EQ(w["user"], "alice");
  EXPECT_EQ(w["group"], "cv");
  EXPECT_EQ(w["position"], 1);
  EXPECT_EQ(w["requested"]["gpus"], 1);
  const std::string reason = w["reason"];
  EXPECT_NE(reason.find("user alice is at its quota of 1 GPU"), std::string::npos) << reason;

  Answer never = env().Call("POST", "/v1/jobs", alice, kTwoGpus, "application/yaml");
  EXPECT_EQ(never.status, 409) << never;
  EXPECT_NE(never.ErrorMessage().find("quota"), std::string::npos) << never;

  Answer raise = env().Call("PUT", "/v1/quotas", env().admin_token,
                            Json{{"scope", "user"}, {"name", "alice"}, {"max_gpus", 4}}.dump());
  ASSERT_EQ(raise.status, 200);
  EXPECT_EQ(env().JobState(two, alice), "scheduled");
  EXPECT_EQ(env().Get("/v1/queue", bob).json["items"].size(), 0u);
}

TEST_P(ApiScenarioTest, ASilentNodeGoesDownItsJobsAreLostAndItsGpusLeaveThePool) {
  const std::string agent = env().AddNode("n1", 2);
  const std::string alice = env().AddUser("alice");
  const int64_t id = env().Submit(alice, kOneGpu);
  StartOn("n1", agent, id);
  ASSERT_EQ(env().JobState(id, alice), "running");

  env().clock.Advance(std::chrono::seconds(20));
  ASSERT_OK(env().plane().Tick());
  EXPECT_EQ(env().JobState(id, alice), "running");  // within node_timeout
  env().clock.Advance(std::chrono::seconds(11));
  ASSERT_OK(env().plane().Tick());
  Answer job = env().Get(Path(id), alice);
  EXPECT_EQ(job.json["state"], "lost") << job;
  const std::string msg = EventMessage(id, alice, "job.lost");
  EXPECT_NE(msg.find("node n1 stopped answering"), std::string::npos) << msg;
  EXPECT_EQ(env().Get("/v1/nodes/n1", alice).json["state"], "down");

  const int64_t waiting = env().Submit(alice, kOneGpu);
  Answer queue = env().Get("/v1/queue", alice);
  ASSERT_EQ(queue.json["items"].size(), 1u);
  EXPECT_EQ(queue.json["items"][0]["reason"], "no node is up and schedulable");
  const std::map<std::string, double> metrics = ParsePrometheusText(env().Get("/metrics", "").body);
  EXPECT_EQ(metrics.at("ava_gpus{model=\"V100\",state=\"free\"}"), 0);
  EXPECT_EQ(metrics.at("ava_nodes{state=\"down\"}"), 1);

  // The agent comes back: the node is up again and the waiting job is placed.
  Answer hb = env().Heartbeat("n1", agent);
  ASSERT_EQ(hb.status, 200) << hb;
  EXPECT_EQ(env().Get("/v1/nodes/n1", alice).json["state"], "up");
  EXPECT_EQ(env().JobState(waiting, alice), "scheduled");
}

TEST_P(ApiScenarioTest, MaxRuntimeFailsAndKillsTheJob) {
  const std::string agent = env().AddNode("n1", 1);
  const std::string alice = env().AddUser("alice");
  const int64_t id = env().Submit(alice, "command: [sleep, '9999']\nresources: {gpus: 1}\nmax_runtime: 1m\n");
  StartOn("n1", agent, id);
  const Json running = Json::array({{{"job_id", id}, {"pid", 1}}});
  env().Elapse(std::chrono::seconds(59), "n1", agent, running);
  EXPECT_EQ(env().JobState(id, alice), "running");
  env().Elapse(std::chrono::seconds(2), "n1", agent, running);
  Answer job = env().Get(Path(id), alice);
  EXPECT_EQ(job.json["state"], "failed");
  EXPECT_NE(job.json["reason"].get<std::string>().find("max_runtime of 1m"), std::string::npos) << job;
  Answer hb = env().Heartbeat("n1", agent, running);
  ASSERT_EQ(hb.json["kill"].size(), 1u) << hb;
  EXPECT_NE(hb.json["kill"][0]["reason"].get<std::string>().find("max_runtime"), std::string::npos);
}

TEST_P(ApiScenarioTest, AnIdleWorkspaceIsStoppedAndActivityKeepsItAlive) {
  const std::string agent = env().AddNode("n1", 1);
  const std::string alice = env().AddUser("alice");
  Answer ws = env().Call("POST", "/v1/workspaces", alice, "resources: {gpus: 1}\nidle_timeout: 10m\n",
                         "application/yaml");
  ASSERT_EQ(ws.status, 201) << ws;
  EXPECT_EQ(ws.json["kind"], "workspace");
  const int64_t id = ws.json["id"];
  StartOn("n1", agent, id);
  // Heartbeats that only say "running" are not activity.
  const Json running = Json::array({{{"job_id", id}, {"pid", 9}}});

  env().Elapse(std::chrono::minutes(8), "n1", agent, running);
  env().Post("/v1/agent/jobs/" + std::to_string(id) + "/logs", agent,
             Json{{"chunks", Json::array({{{"stream", "stdout"}, {"data", "In [1]: \n"}}})}});
  env().Elapse(std::chrono::minutes(8), "n1", agent, running);
  EXPECT_EQ(env().JobState(id, alice), "running");  // output 8 minutes ago

  // Activity the agent reports counts too.
  Json active =
      Json::array({{{"job_id", id}, {"pid", 9}, {"last_activity", FormatTime(env().clock.WallNow())}}});
  env().Heartbeat("n1", agent, active);
  env().Elapse(std::chrono::minutes(9), "n1", agent, running);
  EXPECT_EQ(env().JobState(id, alice), "running");
  env().Elapse(std::chrono::minutes(2), "n1", agent, running);
  Answer done = env().Get(Path(id), alice);
  EXPECT_EQ(done.json["state"], "cancelled") << done;
  EXPECT_NE(done.json["reason"].get<std::string>().find("idle for 10m"), std::string::npos) << done;
  Answer hb = env().Heartbeat("n1", agent, running);
  EXPECT_EQ(hb.json["kill"].size(), 1u) << hb;

  // A workspace is stopped through its own endpoint; a plain job is not a workspace.
  Answer ws2 = env().Call("POST", "/v1/workspaces", alice, "resources: {gpus: 1}\n", "application/yaml");
  ASSERT_EQ(ws2.status, 201);
  Answer stop = env().Post("/v1/workspaces/" + std::to_string(ws2.json["id"].get<int64_t>()) + "/stop", alice,
                           Json::object());
  EXPECT_EQ(stop.json["state"], "cancelled") << stop;
  const int64_t job = env().Submit(alice, kOneGpu);
  EXPECT_EQ(env().Post("/v1/workspaces/" + std::to_string(job) + "/stop", alice, Json::object()).status, 404);
  Answer list = env().Get("/v1/jobs?kind=workspace", alice);
  EXPECT_EQ(list.json["items"].size(), 2u) << list;
}

TEST_P(ApiScenarioTest, FollowingLogsStreamsUntilTheJobEnds) {
  const std::string agent = env().AddNode("n1", 1);
  const std::string alice = env().AddUser("alice");
  const int64_t id = env().Submit(alice, kOneGpu);
  StartOn("n1", agent, id);
  const std::string logs_path = "/v1/agent/jobs/" + std::to_string(id) + "/logs";
  env().Post(logs_path, agent, Json{{"chunks", Json::array({{{"stream", "stdout"}, {"data", "one\n"}}})}});

  std::string received;
  std::atomic<bool> got_first{false};
  int status = 0;
  std::thread follower([&] {
    httplib::Client c("127.0.0.1", env().port());
    c.set_read_timeout(60, 0);
    auto r = c.Get(Path(id, "/logs?follow=1"), {{"Authorization", "Bearer " + alice}},
                   [&](const char* data, size_t n) {
                     received.append(data, n);
                     got_first = received.find("one\n") != std::string::npos;
                     return true;
                   });
    status = r ? r->status : -1;
  });
  // The stream is open and has sent what existed; more arrives while it is open.
  while (!got_first) std::this_thread::yield();
  env().Post(logs_path, agent, Json{{"chunks", Json::array({{{"stream", "stdout"}, {"data", "two\n"}}})}});
  env().Heartbeat("n1", agent, Json::array(), Json::array({{{"job_id", id}, {"exit_code", 0}}}));
  follower.join();
  EXPECT_EQ(status, 200);
  EXPECT_EQ(received, "one\ntwo\n");
  // Logs outlive the job.
  EXPECT_EQ(env().Get(Path(id, "/logs"), alice).body, "one\ntwo\n");
}

TEST_P(ApiScenarioTest, DrainedNodesTakeNoNewJobsButKeepTheirOwn) {
  const std::string agent = env().AddNode("n1", 2);
  const std::string alice = env().AddUser("alice");
  const int64_t id = env().Submit(alice, kOneGpu);
  StartOn("n1", agent, id);
  Answer drain = env().Post("/v1/nodes/n1/drain", env().admin_token, Json::object());
  ASSERT_EQ(drain.status, 200) << drain;
  EXPECT_EQ(drain.json["state"], "drained");
  const int64_t next = env().Submit(alice, kOneGpu);
  EXPECT_EQ(env().JobState(next, alice), "queued");
  env().Heartbeat("n1", agent, Json::array({{{"job_id", id}, {"pid", 1}}}));
  EXPECT_EQ(env().JobState(id, alice), "running");
  EXPECT_EQ(env().Get("/v1/nodes/n1", alice).json["state"], "drained");  // heartbeats keep the drain
  Answer undrain = env().Post("/v1/nodes/n1/undrain", env().admin_token, Json::object());
  EXPECT_EQ(undrain.json["state"], "up") << undrain;
  EXPECT_EQ(env().JobState(next, alice), "scheduled");
}

TEST_P(ApiScenarioTest, AHigherPriorityJobPreemptsTheLowestAndNewestFirst) {
  const std::string agent = env().AddNode("n1", 4);
  const std::string alice = env().AddUser("alice");
  const std::string bob = env().AddUser("bob");
  // Started one after another: a priority-1 job, a priority-0 job, another priority-1 job.
  Json running = Json::array();
  std::vector<int64_t> ids;
  for (const char* spec : {"command: [a]\nresources: {gpus: 2}\npriority: 1\n",
                           "command: [b]\nresources: {gpus: 1}\npriority: 0\n",
                           "command: [c]\nresources: {gpus: 1}\npriority: 1\n"}) {
    const int64_t id = env().Submit(alice, spec);
    ids.push_back(id);
    env().Heartbeat("n1", agent, running);
    running.push_back({{"job_id", id}, {"pid", id}});
    env().Heartbeat("n1", agent, running);
    env().clock.Advance(std::chrono::seconds(5));
  }
  const int64_t old_low = ids[0], lowest = ids[1], newest_low = ids[2];
  ASSERT_EQ(env().JobState(newest_low, alice), "running");

  // Equal priority never preempts: it waits.
  const int64_t same = env().Submit(bob, "command: [d]\nresources: {gpus: 1}\npriority: 0\n");
  EXPECT_EQ(env().JobState(same, bob), "queued");
  EXPECT_EQ(env().Post(Path(same, "/cancel"), bob, Json::object()).status, 200);

  // Two GPUs for priority 5: the priority-0 job goes first, then the newest priority-1 job; the
  // older priority-1 job keeps running.
  const int64_t high = env().Submit(bob, "command: [e]\nresources: {gpus: 2}\npriority: 5\n");
  EXPECT_EQ(env().JobState(high, bob), "scheduled");
  EXPECT_EQ(env().JobState(lowest, alice), "queued");
  EXPECT_EQ(env().JobState(newest_low, alice), "queued");
  EXPECT_EQ(env().JobState(old_low, alice), "running");
  EXPECT_EQ(EventMessage(lowest, alice, "job.preempted"),
            "preempted by job " + std::to_string(high) + " (priority 5)");
  Answer hb = env().Heartbeat("n1", agent, running);
  EXPECT_EQ(hb.json["kill"].size(), 2u) << hb;
  EXPECT_EQ(hb.json["start"].size(), 0u) << hb;  // not before the victims are gone
  hb = env().Heartbeat(
      "n1", agent, Json::array({{{"job_id", old_low}, {"pid", 1}}}),
      Json::array({{{"job_id", lowest}, {"signal", 15}}, {{"job_id", newest_low}, {"signal", 15}}}));
  ASSERT_EQ(hb.json["start"].size(), 1u) << hb;
  EXPECT_EQ(hb.json["start"][0]["job_id"], high);
  Answer queue = env().Get("/v1/queue", alice);
  ASSERT_EQ(queue.json["items"].size(), 2u) << queue;
  EXPECT_EQ(queue.json["items"][0]["id"], newest_low);  // priority 1 before priority 0
}

TEST_P(ApiScenarioTest, MetricsCountJobsGpusAndRequests) {
  const std::string agent = env().AddNode("n1", 4);
  const std::string alice = env().AddUser("alice");
  const int64_t id = env().Submit(alice, kTwoGpus);
  StartOn("n1", agent, id);
  env().Get(Path(id), alice);
  const std::string text = env().Get("/metrics", "").body;
  const std::map<std::string, double> m = ParsePrometheusText(text);
  EXPECT_EQ(m.at("ava_jobs{state=\"running\"}"), 1) << text;
  EXPECT_EQ(m.at("ava_queue_length"), 0);
  EXPECT_EQ(m.at("ava_gpus{model=\"V100\",state=\"allocated\"}"), 2);
  EXPECT_EQ(m.at("ava_gpus{model=\"V100\",state=\"free\"}"), 2);
  EXPECT_GE(m.at("ava_api_request_seconds_count{method=\"GET\",route=\"/v1/jobs/{id}\"}"), 1);
  EXPECT_GE(m.at("ava_api_requests_total{method=\"POST\",route=\"/v1/agent/heartbeat\",status=\"200\"}"), 2);
}

}  // namespace ava::api::testing
