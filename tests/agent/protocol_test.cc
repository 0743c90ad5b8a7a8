#include "agent/protocol.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace ava {
namespace {

using nlohmann::json;

TEST(Protocol, HeartbeatAnswerWithStartsAndKills) {
  json reply = json::parse(R"({
    "start": [{"job_id": 7, "spec": {"command": ["true"]}, "gpus": [2, 3], "visible_devices": "2,3",
               "member": 1, "gang_size": 2, "gpu_milli": 1000, "env": {"AVA_GANG_PEERS": "a:1,b:2"}}],
    "kill": [{"job_id": 5, "reason": "cancelled by alice"}]})");
  Result<agent::HeartbeatReply> r = agent::ParseHeartbeatReply(reply);
  ASSERT_OK(r);
  ASSERT_EQ(r->start.size(), 1u);
  EXPECT_EQ(r->start[0].job_id, 7);
  EXPECT_EQ(r->start[0].gpus, (std::vector<int>{2, 3}));
  EXPECT_EQ(r->start[0].visible_devices, "2,3");
  EXPECT_EQ(r->start[0].member, 1);
  EXPECT_EQ(r->start[0].gang_size, 2);
  EXPECT_EQ(r->start[0].env.at("AVA_GANG_PEERS"), "a:1,b:2");
  EXPECT_EQ(r->start[0].gpu_milli, 1000);
  EXPECT_EQ(r->start[0].key(), (agent::JobKey{7, 1}));
  ASSERT_EQ(r->kill.size(), 1u);
  EXPECT_EQ(r->kill[0].job_id, 5);
  EXPECT_EQ(r->kill[0].reason, "cancelled by alice");
  // The assignment survives being written to the job directory and read back.
  Result<agent::Assignment> again = agent::ParseAssignment(agent::AssignmentJson(r->start[0]));
  ASSERT_OK(again);
  EXPECT_EQ(again->gpus, r->start[0].gpus);
  EXPECT_EQ(again->spec, r->start[0].spec);
}

TEST(Protocol, EmptyAnswerMeansNothingToDo) {
  Result<agent::HeartbeatReply> r = agent::ParseHeartbeatReply(json::object());
  ASSERT_OK(r);
  EXPECT_TRUE(r->start.empty());
  EXPECT_TRUE(r->kill.empty());
}

TEST(Protocol, MalformedAnswersNameTheField) {
  EXPECT_STATUS(agent::ParseHeartbeatReply(json{{"start", 3}}), kInvalidArgument);
  EXPECT_STATUS(agent::ParseHeartbeatReply(json{{"start", {{{"spec", {{"command", "x"}}}}}}}),
                kInvalidArgument);
  Result<agent::HeartbeatReply> bad_gpus = agent::ParseHeartbeatReply(
      json{{"start", {{{"job_id", 1}, {"spec", json::object()}, {"gpus", {-1}}}}}});
  ASSERT_FALSE(bad_gpus.ok());
  EXPECT_NE(bad_gpus.status().message().find("gpus"), std::string::npos);
  EXPECT_STATUS(agent::ParseHeartbeatReply(json{
                    {"start", {{{"job_id", 1}, {"spec", json::object()}, {"member", 2}, {"gang_size", 2}}}}}),
                kInvalidArgument);
  EXPECT_STATUS(agent::ParseHeartbeatReply(
                    json{{"start", {{{"job_id", 1}, {"spec", json::object()}, {"gpu_milli", 0}}}}}),
                kInvalidArgument);
}

TEST(Protocol, HeartbeatRequestCarriesRunningAndFinished) {
  agent::FinishedJob ok{3, 0, std::nullopt, "", json{{"accuracy", 0.85}}};
  agent::FinishedJob killed{4, std::nullopt, 15, "cancelled by alice", std::nullopt, 1};
  json j = agent::HeartbeatRequestJson("n1", {{9, 1234, 0}}, {ok, killed});
  EXPECT_EQ(j["node"], "n1");
  EXPECT_EQ(j["running"], json::parse(R"([{"job_id": 9, "member": 0, "pid": 1234, "state": "running"}])"));
  EXPECT_EQ(j["finished"][0], json::parse(R"({"job_id": 3, "member": 0, "exit_code": 0, "signal": null,
                                               "error": "", "report": {"accuracy": 0.85}})"));
  EXPECT_EQ(j["finished"][1], json::parse(R"({"job_id": 4, "member": 1, "exit_code": null, "signal": 15,
                                               "error": "cancelled by alice", "report": null})"));
}

TEST(Protocol, LogChunksKeepOrderAndSurviveBadUtf8) {
  std::vector<agent::OutputRecord> chunks = {
      {agent::OutputStream::kStdout, Nanos(1700000000123456789), "a\n"},
      {agent::OutputStream::kStderr, Nanos(1700000001000000000), "b\xff\n"}};
  const std::string text = agent::DumpJson(agent::LogChunksJson(chunks));
  json j = json::parse(text);
  ASSERT_EQ(j["chunks"].size(), 2u);
  EXPECT_EQ(j["chunks"][0]["stream"], "stdout");
  EXPECT_EQ(j["chunks"][0]["time"], "2023-11-14T22:13:20.123456789Z");
  EXPECT_EQ(j["chunks"][0]["data"], "a\n");
  EXPECT_EQ(j["chunks"][1]["stream"], "stderr");
  EXPECT_EQ(j["chunks"][1]["data"], "b\xEF\xBF\xBD\n");  // U+FFFD
}

TEST(Protocol, RegisterAnswer) {
  Result<agent::RegisterReply> r =
      agent::ParseRegisterReply(json{{"heartbeat_interval_ms", 2000}, {"node", "n1"}});
  ASSERT_OK(r);
  EXPECT_EQ(r->heartbeat_interval_ms, 2000);
  EXPECT_EQ(r->node, "n1");
  EXPECT_STATUS(agent::ParseRegisterReply(json{{"heartbeat_interval_ms", "soon"}}), kInvalidArgument);
}

}  // namespace
}  // namespace ava
