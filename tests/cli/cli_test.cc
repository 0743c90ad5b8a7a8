// The `ava` CLI against an in-process avad (tests/api/api_test_env.h): what a person sees (tables,
// messages naming what was wrong), what scripts get (--json), where the login is kept, and the exit
// codes `ava --help` documents — including `ava job submit` following a job to its end.
#include "cli/cli.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <sstream>
#include <thread>

#include "api/api_test_env.h"
#include "cli/client_config.h"
#include "common/file_util.h"
#include "test_util.h"

namespace ava::cli {
namespace {

using api::testing::Answer;
using api::testing::ApiTestEnv;
using api::testing::Json;

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

std::ostream& operator<<(std::ostream& os, const CliRun& r) {
  return os << "exit " << r.code << "\nstdout:\n" << r.out << "stderr:\n" << r.err;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(avad_.ok());
    env_.vars["AVA_CONFIG"] = dir_.Sub("ava/config.yaml");
    server_ = "http://127.0.0.1:" + std::to_string(avad_.port());
  }

  CliRun Ava(std::vector<std::string> args, const std::string& input = "") {
    std::istringstream in(input);
    std::ostringstream out, err;
    CliRun r;
    r.code = RunCli(args, env_, in, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
  }
  // Logs the CLI in as `token`.
  void LoginAs(const std::string& token) {
    CliRun r = Ava({"login", server_, "--token", token});
    ASSERT_EQ(r.code, 0) << r;
  }
  std::string WriteSpec(const std::string& name, const std::string& text) {
    const std::string path = dir_.Sub(name);
    EXPECT_OK(WriteFileAtomic(path, text, 0644));
    return path;
  }
  // Waits until job `id` exists (another thread submits it).
  void AwaitJob(int64_t id) {
    while (!avad_.store->GetJob(id).ok()) std::this_thread::yield();
  }

  ApiTestEnv avad_;
  ::ava::testing::TempDir dir_;
  CliEnvironment env_;
  std::string server_;
};

TEST_F(CliTest, LoginChecksTheTokenAndKeepsItPrivate) {
  CliRun bad = Ava({"login", server_, "--token", "ava_wrong"});
  EXPECT_EQ(bad.code, 1) << bad;
  EXPECT_NE(bad.err.find("not valid"), std::string::npos) << bad;
  CliRun none = Ava({"queue"});
  EXPECT_EQ(none.code, 1);
  EXPECT_NE(none.err.find("not logged in"), std::string::npos) << none;

  CliRun ok = Ava({"login", server_}, avad_.admin_token + "\n");  // the token from stdin
  ASSERT_EQ(ok.code, 0) << ok;
  EXPECT_NE(ok.out.find("as root (admin)"), std::string::npos) << ok;
  struct stat st {};
  ASSERT_EQ(::stat(env_.vars["AVA_CONFIG"].c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  Result<ClientConfig> saved = LoadClientConfig(env_.vars["AVA_CONFIG"]);
  ASSERT_OK(saved);
  EXPECT_EQ(saved->server, server_);
  EXPECT_EQ(saved->token, avad_.admin_token);
  EXPECT_EQ(Ava({"queue"}).code, 0);
  // The environment and flags win over the file.
  env_.vars["AVA_TOKEN"] = "ava_wrong";
  EXPECT_EQ(Ava({"queue"}).code, 1);
  EXPECT_EQ(Ava({"queue", "--token", avad_.admin_token}).code, 0);
}

TEST_F(CliTest, UsageErrorsExit2AndHelpDocumentsExitCodes) {
  CliRun help = Ava({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("EXIT STATUS"), std::string::npos) << help;
  EXPECT_NE(help.out.find("125"), std::string::npos) << help;
  EXPECT_EQ(Ava({"frobnicate"}).code, 2);
  EXPECT_EQ(Ava({"job"}).code, 2);
  EXPECT_EQ(Ava({"job", "show"}).code, 2);
  EXPECT_EQ(Ava({"job", "show", "not-a-number"}).code, 2);
  EXPECT_EQ(Ava({"job", "submit", "--help"}).code, 0);
  LoginAs(avad_.admin_token);
  CliRun both = Ava({"quota", "set", "--user", "a", "--group", "b", "3"});
  EXPECT_EQ(both.code, 2) << both;
}

TEST_F(CliTest, SubmitFollowsTheJobAndExitsWithItsResult) {
  const std::string agent = avad_.AddNode("n1", 2);
  LoginAs(avad_.AddUser("alice"));
  const std::string spec =
      WriteSpec("job.yaml", "name: train\ncommand: [python3, train.py]\nresources: {gpus: 1}\n");
  for (const int exit_status : {0, 3}) {
    CliRun run;
    const int64_t id = exit_status == 0 ? 1 : 2;
    std::thread cli([&] { run = Ava({"job", "submit", spec}); });
    AwaitJob(id);
    // The node runs it: output on both streams, then the exit status.
    avad_.Heartbeat("n1", agent);
    avad_.Heartbeat("n1", agent, Json::array({{{"job_id", id}, {"pid", 10}}}));
    avad_.Post("/v1/agent/jobs/" + std::to_string(id) + "/logs", agent,
               Json{{"chunks", Json::array({{{"stream", "stdout"}, {"data", "epoch 1 loss 0.4\n"}},
                                            {{"stream", "stderr"}, {"data", "a warning\n"}}})}});
    avad_.Heartbeat("n1", agent, Json::array(), Json::array({{{"job_id", id}, {"exit_code", exit_status}}}));
    cli.join();
    EXPECT_EQ(run.code, exit_status) << run;
    EXPECT_NE(run.out.find("job " + std::to_string(id) + " submitted"), std::string::npos) << run;
    EXPECT_NE(run.out.find("epoch 1 loss 0.4\n"), std::string::npos) << run;
    EXPECT_EQ(run.out.find("a warning"), std::string::npos) << run;
    EXPECT_NE(run.err.find("a warning\n"), std::string::npos) << run;
    EXPECT_NE(run.err.find(exit_status == 0 ? "succeeded" : "failed: exit code 3"), std::string::npos) << run;
  }
}

TEST_F(CliTest, SubmitExitCodesForCancelledAndLostJobs) {
  const std::string agent = avad_.AddNode("n1", 1);
  const std::string alice = avad_.AddUser("alice");
  LoginAs(alice);
  const std::string spec = WriteSpec("job.yaml", "command: [sleep, '100']\nresources: {gpus: 1}\n");
  CliRun run;
  std::thread cli([&] { run = Ava({"job", "submit", spec}); });
  AwaitJob(1);
  avad_.Post("/v1/jobs/1/cancel", alice, Json::object());
  cli.join();
  EXPECT_EQ(run.code, 130) << run;

  std::thread lost_cli([&] { run = Ava({"job", "submit", spec}); });
  AwaitJob(2);
  avad_.Heartbeat("n1", agent);
  avad_.Heartbeat("n1", agent, Json::array({{{"job_id", 2}, {"pid", 1}}}));
  avad_.clock.Advance(std::chrono::minutes(1));
  ASSERT_OK(avad_.plane().Tick());
  lost_cli.join();
  EXPECT_EQ(run.code, 125) << run;
  EXPECT_NE(run.err.find("lost: node n1 stopped answering"), std::string::npos) << run;
}

TEST_F(CliTest, SpecErrorsNameTheFieldAndImpossibleJobsSayWhy) {
  avad_.AddNode("n1", 8);
  LoginAs(avad_.AddUser("alice"));
  CliRun bad = Ava({"job", "submit", WriteSpec("bad.yaml", "command: [a]\nresources: {gpus: lots}\n")});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("resources.gpus"), std::string::npos) << bad;
  CliRun big = Ava({"job", "submit", WriteSpec("big.yaml", "command: [a]\nresources: {gpus: 9}\n")});
  EXPECT_EQ(big.code, 1);
  EXPECT_NE(big.err.find("can never run"), std::string::npos) << big;
  CliRun missing = Ava({"job", "submit", dir_.Sub("nope.yaml")});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("nope.yaml"), std::string::npos) << missing;
  CliRun other = Ava({"job", "show", "12345"});
  EXPECT_EQ(other.code, 1);
  EXPECT_NE(other.err.find("job 12345 not found"), std::string::npos) << other;
}

TEST_F(CliTest, ShowPrintsTheStoredReportAndJsonForScripts) {
  const std::string agent = avad_.AddNode("n1", 1);
  LoginAs(avad_.AddUser("alice"));
  CliRun submitted = Ava({"--json", "job", "submit", "-d",
                          WriteSpec("job.json", R"({"command": ["eval"], "resources": {"gpus": 1}})")});
  ASSERT_EQ(submitted.code, 0) << submitted;
  const int64_t id = Json::parse(submitted.out)["id"];
  avad_.Heartbeat("n1", agent);
  avad_.Heartbeat("n1", agent, Json::array(),
                  Json::array({{{"job_id", id}, {"exit_code", 0}, {"report", {{"accuracy", 0.853}}}}}));
  CliRun show = Ava({"job", "show", std::to_string(id)});
  ASSERT_EQ(show.code, 0) << show;
  EXPECT_NE(show.out.find("state      succeeded"), std::string::npos) << show;
  EXPECT_NE(show.out.find("\"accuracy\": 0.853"), std::string::npos) << show;
  EXPECT_NE(show.out.find("job.succeeded"), std::string::npos) << show;
  CliRun json = Ava({"job", "show", "--json", std::to_string(id)});
  ASSERT_EQ(json.code, 0) << json;
  EXPECT_EQ(Json::parse(json.out)["report"]["accuracy"], 0.853);
  CliRun list = Ava({"job", "list"});
  EXPECT_NE(list.out.find("ID"), std::string::npos) << list;
  EXPECT_NE(list.out.find("succeeded"), std::string::npos) << list;
  EXPECT_NE(list.out.find("n1[0]"), std::string::npos) << list;
  CliRun logs = Ava({"job", "logs", std::to_string(id)});
  EXPECT_EQ(logs.code, 0) << logs;
}

TEST_F(CliTest, QueueNodesGpusQuotasWorkspacesAndUsers) {
  avad_.AddNode("n1", 2);
  LoginAs(avad_.admin_token);
  CliRun user = Ava({"user", "create", "alice"});
  ASSERT_EQ(user.code, 0) << user;
  const std::string alice = user.out.substr(user.out.find("ava_"), 47);
  CliRun quota = Ava({"quota", "set", "--user", "alice", "1"});
  ASSERT_EQ(quota.code, 0) << quota;
  EXPECT_NE(Ava({"quota", "show"}).out.find("alice"), std::string::npos);

  // Alice's second GPU waits for her quota.
  CliRun a1 = Ava(
      {"--token", alice, "job", "submit", "-d", WriteSpec("a.yaml", "command: [a]\nresources: {gpus: 1}\n")});
  CliRun a2 = Ava(
      {"--token", alice, "job", "submit", "-d", WriteSpec("b.yaml", "command: [b]\nresources: {gpus: 1}\n")});
  ASSERT_EQ(a2.code, 0) << a2;
  CliRun queue = Ava({"queue"});
  EXPECT_NE(queue.out.find("WAITING BECAUSE"), std::string::npos) << queue;
  EXPECT_NE(queue.out.find("user alice is at its quota of 1 GPU"), std::string::npos) << queue;
  Json queue_json = Json::parse(Ava({"queue", "--json"}).out);
  ASSERT_EQ(queue_json.size(), 1u);
  EXPECT_EQ(queue_json[0]["position"], 1);

  CliRun nodes = Ava({"node", "list"});
  EXPECT_NE(nodes.out.find("2×V100"), std::string::npos) << nodes;
  EXPECT_NE(nodes.out.find("up"), std::string::npos) << nodes;
  CliRun gpus = Ava({"gpu", "list"});
  EXPECT_NE(gpus.out.find("V100"), std::string::npos) << gpus;
  EXPECT_EQ(Json::parse(Ava({"gpu", "list", "--json"}).out).size(), 2u);

  CliRun ws = Ava({"workspace", "start", "--gpus", "1", "--idle-timeout", "30m", "--name", "notebook"});
  ASSERT_EQ(ws.code, 0) << ws;
  CliRun wl = Ava({"workspace", "list"});
  EXPECT_NE(wl.out.find("notebook"), std::string::npos) << wl;
  const std::string ws_id =
      std::to_string(Json::parse(Ava({"workspace", "list", "--json"}).out)[0]["id"].get<int64_t>());
  EXPECT_EQ(Ava({"workspace", "stop", ws_id}).code, 0);
  EXPECT_EQ(Ava({"workspace", "list"}).out.find("notebook"), std::string::npos);

  // Not an admin: refused, saying so.
  CliRun refused = Ava({"--token", alice, "user", "create", "bob"});
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("admins"), std::string::npos) << refused;
  CliRun cancel = Ava({"--token", alice, "job", "cancel", "2"});
  EXPECT_EQ(cancel.code, 0) << cancel;
  EXPECT_NE(cancel.out.find("cancelled"), std::string::npos) << cancel;
}

}  // namespace
}  // namespace ava::cli
