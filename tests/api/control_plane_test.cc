// Control-plane behaviour beyond the per-backend scenarios: preemption with requeue and with
// failure, gangs, agent restarts, unacknowledged starts, avad restarts, and a fuzz of every
// endpoint that takes a body: nothing a client sends makes avad answer 5xx or fall over.
#include <gtest/gtest.h>

#include <random>

#include "api_test_env.h"

namespace ava::api::testing {
namespace {

class PreemptionTest : public ::testing::TestWithParam<bool> {};

TEST_P(PreemptionTest, APreemptedJobIsKilledThroughItsAgentThenRequeuedOrFailed) {
  const bool requeue = GetParam();
  ControlPlaneOptions options;
  options.requeue_preempted = requeue;
  ApiTestEnv env("", nullptr, options);
  ASSERT_TRUE(env.ok());
  const std::string agent = env.AddNode("n1", 1);
  const std::string alice = env.AddUser("alice");
  const int64_t low = env.Submit(alice, "command: [train]\nresources: {gpus: 1}\npriority: 0\n");
  env.Heartbeat("n1", agent);
  env.Heartbeat("n1", agent, Json::array({{{"job_id", low}, {"pid", 5}}}));
  ASSERT_EQ(env.JobState(low, alice), "running");

  const int64_t high = env.Submit(alice, "command: [urgent]\nresources: {gpus: 1}\npriority: 10\n");
  EXPECT_EQ(env.JobState(low, alice), requeue ? "queued" : "failed");
  EXPECT_EQ(env.JobState(high, alice), "scheduled");
  Answer events = env.Get("/v1/jobs/" + std::to_string(low) + "/events", alice);
  std::string preempted;
  for (const Json& e : events.json["items"]) {
    if (e["type"] == "job.preempted") preempted = e["message"];
  }
  EXPECT_EQ(preempted, "preempted by job " + std::to_string(high) + " (priority 10)") << events;

  // The GPU is still in use until the agent has killed the victim.
  Answer hb = env.Heartbeat("n1", agent, Json::array({{{"job_id", low}, {"pid", 5}}}));
  ASSERT_EQ(hb.json["kill"].size(), 1u) << hb;
  EXPECT_EQ(hb.json["kill"][0]["job_id"], low);
  EXPECT_EQ(hb.json["start"].size(), 0u) << hb;
  hb = env.Heartbeat("n1", agent, Json::array(), Json::array({{{"job_id", low}, {"signal", 9}}}));
  ASSERT_EQ(hb.json["start"].size(), 1u) << hb;
  EXPECT_EQ(hb.json["start"][0]["job_id"], high);
  EXPECT_EQ(env.JobState(low, alice), requeue ? "queued" : "failed");
  if (requeue) {
    Answer queue = env.Get("/v1/queue", alice);
    ASSERT_EQ(queue.json["items"].size(), 1u);
    EXPECT_EQ(queue.json["items"][0]["id"], low);
  }
}

INSTANTIATE_TEST_SUITE_P(Both, PreemptionTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? "Requeue" : "Fail";
                         });

TEST(ControlPlaneTest, AGangRunsOnSeveralNodesAndFailsAsOne) {
  ApiTestEnv env;
  ASSERT_TRUE(env.ok());
  const std::string a1 = env.AddNode("n1", 2);
  const std::string a2 = env.AddNode("n2", 2);
  const std::string alice = env.AddUser("alice");
  const int64_t id = env.Submit(alice, "command: [train]\nresources: {gpus: 2}\ngang: 2\n");
  Answer job = env.Get("/v1/jobs/" + std::to_string(id), alice);
  ASSERT_EQ(job.json["state"], "scheduled") << job;
  ASSERT_EQ(job.json["placement"].size(), 2u);
  Answer h1 = env.Heartbeat("n1", a1);
  Answer h2 = env.Heartbeat("n2", a2);
  ASSERT_EQ(h1.json["start"].size(), 1u);
  ASSERT_EQ(h2.json["start"].size(), 1u);
  EXPECT_EQ(h1.json["start"][0]["gang_size"], 2);
  EXPECT_NE(h1.json["start"][0]["member"], h2.json["start"][0]["member"]);
  env.Heartbeat("n1", a1, Json::array({{{"job_id", id}, {"pid", 1}}}));
  env.Heartbeat("n2", a2, Json::array({{{"job_id", id}, {"pid", 2}}}));
  EXPECT_EQ(env.JobState(id, alice), "running");
  // One member succeeding is not the job succeeding; another failing fails it and stops the rest.
  env.Heartbeat("n1", a1, Json::array(), Json::array({{{"job_id", id}, {"exit_code", 0}}}));
  EXPECT_EQ(env.JobState(id, alice), "running");
  env.Heartbeat("n2", a2, Json::array(),
                Json::array({{{"job_id", id}, {"exit_code", 1}, {"error", "NCCL timeout"}}}));
  Answer failed = env.Get("/v1/jobs/" + std::to_string(id), alice);
  EXPECT_EQ(failed.json["state"], "failed");
  EXPECT_NE(failed.json["reason"].get<std::string>().find("NCCL timeout"), std::string::npos) << failed;
}

TEST(ControlPlaneTest, AnAgentThatRestartsGetsItsUnstartedWorkAgainAndLosesWhatItDropped) {
  ApiTestEnv env;
  ASSERT_TRUE(env.ok());
  const std::string agent = env.AddNode("n1", 2);
  const std::string alice = env.AddUser("alice");
  const int64_t running = env.Submit(alice, "command: [a]\nresources: {gpus: 1}\n");
  env.Heartbeat("n1", agent);
  env.Heartbeat("n1", agent, Json::array({{{"job_id", running}, {"pid", 1}}}));
  const int64_t handed = env.Submit(alice, "command: [b]\nresources: {gpus: 1}\n");
  Answer hb = env.Heartbeat("n1", agent, Json::array({{{"job_id", running}, {"pid", 1}}}));
  ASSERT_EQ(hb.json["start"].size(), 1u);
  // The agent restarts: it registers again and runs nothing.
  env.Post("/v1/agent/register", agent,
           Json{{"node", "n1"}, {"address", "10.0.0.1:7070"}, {"inventory", NodeInventoryJson(2, "V100")}});
  hb = env.Heartbeat("n1", agent);
  EXPECT_EQ(env.JobState(running, alice), "lost");
  ASSERT_EQ(hb.json["start"].size(), 1u) << hb;
  EXPECT_EQ(hb.json["start"][0]["job_id"], handed);
  // A job the agent runs that avad never gave it is killed.
  hb = env.Heartbeat("n1", agent,
                     Json::array({{{"job_id", handed}, {"pid", 3}}, {{"job_id", 999}, {"pid", 4}}}));
  ASSERT_EQ(hb.json["kill"].size(), 1u) << hb;
  EXPECT_EQ(hb.json["kill"][0]["job_id"], 999);
}

TEST(ControlPlaneTest, AJobThatEndsBeforeItIsSeenRunningStillHasARunningEvent) {
  ApiTestEnv env;
  ASSERT_TRUE(env.ok());
  const std::string agent = env.AddNode("n1", 1);
  const std::string alice = env.AddUser("alice");
  const int64_t id = env.Submit(alice, "command: [true]\nresources: {gpus: 1}\n");
  env.Heartbeat("n1", agent);
  env.Heartbeat("n1", agent, Json::array(), Json::array({{{"job_id", id}, {"exit_code", 0}}}));
  Answer job = env.Get("/v1/jobs/" + std::to_string(id), alice);
  EXPECT_EQ(job.json["state"], "succeeded");
  EXPECT_TRUE(job.json["started"].is_string()) << job;
  Answer events = env.Get("/v1/jobs/" + std::to_string(id) + "/events", alice);
  std::vector<std::string> types;
  for (const Json& e : events.json["items"]) types.push_back(e["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"job.queued", "job.scheduled", "job.running", "job.succeeded"}));
}

TEST(ControlPlaneTest, AStartTheAgentNeverAcknowledgesIsLost) {
  ControlPlaneOptions options;
  options.start_timeout = std::chrono::minutes(1);
  ApiTestEnv env("", nullptr, options);
  ASSERT_TRUE(env.ok());
  const std::string agent = env.AddNode("n1", 1);
  const std::string alice = env.AddUser("alice");
  const int64_t id = env.Submit(alice, "command: [a]\nresources: {gpus: 1}\n");
  env.Heartbeat("n1", agent);
  env.clock.Advance(std::chrono::seconds(20));
  env.Heartbeat("n1", agent);
  EXPECT_EQ(env.JobState(id, alice), "scheduled");
  env.clock.Advance(std::chrono::seconds(50));
  env.Heartbeat("n1", agent);
  Answer job = env.Get("/v1/jobs/" + std::to_string(id), alice);
  EXPECT_EQ(job.json["state"], "lost");
  EXPECT_NE(job.json["reason"].get<std::string>().find("did not start it"), std::string::npos) << job;
}

TEST(ControlPlaneTest, AvadRestartedOnTheSameDatabaseCarriesOn) {
  ::ava::testing::TempDir dir;
  const std::string url = "sqlite://" + dir.Sub("ava.db");
  std::string alice, agent;
  int64_t id = 0;
  {
    ApiTestEnv env(url);
    ASSERT_TRUE(env.ok());
    agent = env.AddNode("n1", 1);
    alice = env.AddUser("alice");
    id = env.Submit(alice, "command: [a]\nresources: {gpus: 1}\n");
    env.Heartbeat("n1", agent);
    env.Heartbeat("n1", agent, Json::array({{{"job_id", id}, {"pid", 1}}}));
  }
  ApiTestEnv env(url);  // EnsureAdmin finds users and makes none; the old tokens still work
  ASSERT_NE(env.server, nullptr);
  EXPECT_EQ(env.JobState(id, alice), "running");
  const int64_t next = env.Submit(alice, "command: [b]\nresources: {gpus: 1}\n");
  EXPECT_EQ(env.JobState(next, alice), "queued");  // the running job still holds the only GPU
  env.Heartbeat("n1", agent, Json::array(), Json::array({{{"job_id", id}, {"exit_code", 0}}}));
  EXPECT_EQ(env.JobState(id, alice), "succeeded");
  EXPECT_EQ(env.JobState(next, alice), "scheduled");
}

TEST(ControlPlaneTest, NoBodyMakesAvadAnswer5xx) {
  ApiTestEnv env;
  ASSERT_TRUE(env.ok());
  const std::string agent = env.AddNode("n1", 2);
  const std::string alice = env.AddUser("alice", "cv");
  const int64_t job = env.Submit(alice, "command: [a]\nresources: {gpus: 1}\n");
  const std::vector<std::pair<std::string, std::string>> seeds = {
      {"/v1/jobs",
       "name: x\ncommand: [a, b]\nresources: {gpus: 1, cpus: 2, memory: 1GiB}\nmounts: [{path: /d, source: "
       "s}]\n"},
      {"/v1/workspaces", R"({"resources": {"gpu_milli": 500}, "idle_timeout": "5m"})"},
      {"/v1/users", R"({"name": "zoe", "is_admin": false, "groups": [{"group": "cv", "role": "admin"}]})"},
      {"/v1/groups", R"({"name": "nlp"})"},
      {"/v1/groups/cv/members", R"({"user": "alice", "role": "admin"})"},
      {"/v1/tokens", R"({"name": "laptop"})"},
      {"/v1/quotas", R"({"scope": "group", "name": "cv", "gpu_model": "V100", "max_gpus": 4})"},
      {"/v1/agent/register",
       R"({"node": "n1", "address": "x", "inventory": {"cpu": "8", "gpu": {"model": "V100", "count": 2}}})"},
      {"/v1/agent/heartbeat",
       R"({"node": "n1", "running": [{"job_id": 1, "pid": 2, "last_activity": "2024-01-01T00:00:00Z"}], "finished": [{"job_id": 1, "exit_code": 0, "report": {"a": 1}}]})"},
      {"/v1/agent/jobs/" + std::to_string(job) + "/logs",
       R"({"chunks": [{"stream": "stdout", "data": "hi"}]})"},
  };
  std::mt19937_64 rng(7);
  const std::string alphabet = "{}[]:,\"'\n -0123456789aeiouxyz.\\\x01\xc3\xff";
  int answered = 0;
  for (const auto& [path, seed] : seeds) {
    const bool agent_route = path.starts_with("/v1/agent");
    const std::string token = agent_route ? agent : env.admin_token;
    for (int i = 0; i < 40; ++i) {
      std::string body = seed;
      const int edits = 1 + static_cast<int>(rng() % 6);
      for (int e = 0; e < edits && !body.empty(); ++e) {
        const size_t at = rng() % body.size();
        if (rng() % 2 == 0) {
          body[at] = alphabet[rng() % alphabet.size()];
        } else {
          body.erase(at, 1 + rng() % 4);
        }
      }
      const std::string method = path == "/v1/quotas" ? "PUT" : "POST";
      Answer a = env.Call(method, path, token, body, rng() % 2 ? "application/json" : "application/yaml");
      ASSERT_GT(a.status, 0);
      EXPECT_LT(a.status, 500) << method << " " << path << " with " << body << " → " << a;
      ++answered;
    }
  }
  EXPECT_EQ(answered, 400);
  EXPECT_EQ(env.Get("/healthz", "").status, 200);
}

}  // namespace
}  // namespace ava::api::testing
