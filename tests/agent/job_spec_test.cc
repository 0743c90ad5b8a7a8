#include "agent/job_spec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace ava {
namespace {

using nlohmann::json;

TEST(JobSpec, TheSpecOfTheApiDoc) {
  json spec = json::parse(R"({
    "name": "fashion-mnist-train", "kind": "job",
    "command": ["python3", "train.py", "--epochs", 1],
    "workdir": "/work", "env": {"SEED": "1", "LR": 0.5, "DEBUG": true},
    "resources": {"gpus": 1, "cpus": 2, "memory": "4GiB"}, "gang": 1, "priority": 0,
    "max_runtime": "2h",
    "mounts": [{"path": "/data", "source": "dataset/fashion-mnist", "readonly": true}],
    "report": "/outputs/report.json"})");
  Result<agent::JobSpec> s = agent::ParseJobSpec(spec);
  ASSERT_OK(s);
  EXPECT_EQ(s->name, "fashion-mnist-train");
  EXPECT_EQ(s->argv, (std::vector<std::string>{"python3", "train.py", "--epochs", "1"}));
  EXPECT_FALSE(s->uses_shell());
  EXPECT_EQ(s->workdir, "/work");
  EXPECT_EQ(s->env.at("SEED"), "1");
  EXPECT_EQ(s->env.at("LR"), "0.5");
  EXPECT_EQ(s->env.at("DEBUG"), "true");
  EXPECT_EQ(s->max_runtime, std::chrono::hours(2));
  ASSERT_EQ(s->mounts.size(), 1u);
  EXPECT_EQ(s->mounts[0].path, "/data");
  EXPECT_EQ(s->mounts[0].source, "dataset/fashion-mnist");
  EXPECT_TRUE(s->mounts[0].readonly);
  EXPECT_EQ(s->report, "/outputs/report.json");
}

TEST(JobSpec, AStringCommandRunsInAShell) {
  Result<agent::JobSpec> s = agent::ParseJobSpec(json{{"command", "echo hi && exit 3"}, {"max_runtime", 90}});
  ASSERT_OK(s);
  EXPECT_TRUE(s->uses_shell());
  EXPECT_EQ(s->shell, "echo hi && exit 3");
  EXPECT_EQ(s->max_runtime, std::chrono::seconds(90));
}

TEST(JobSpec, ErrorsNameTheField) {
  auto field_of = [](const json& spec) {
    Result<agent::JobSpec> s = agent::ParseJobSpec(spec);
    EXPECT_FALSE(s.ok());
    return s.ok() ? std::string() : s.status().message();
  };
  EXPECT_NE(field_of(json::object()).find("spec.command"), std::string::npos);
  EXPECT_NE(field_of(json{{"command", json::array()}}).find("spec.command"), std::string::npos);
  EXPECT_NE(field_of(json{{"command", 5}}).find("spec.command"), std::string::npos);
  EXPECT_NE(field_of(json{{"command", "x"}, {"workdir", "rel"}}).find("spec.workdir"), std::string::npos);
  EXPECT_NE(field_of(json{{"command", "x"}, {"env", {{"1BAD", "v"}}}}).find("spec.env"), std::string::npos);
  EXPECT_NE(field_of(json{{"command", "x"}, {"max_runtime", "soon"}}).find("spec.max_runtime"),
            std::string::npos);
  EXPECT_NE(field_of(json{{"command", "x"}, {"mounts", {{{"path", "data"}, {"source", "s"}}}}})
                .find("mounts[0].path"),
            std::string::npos);
  EXPECT_NE(field_of(json{{"command", "x"}, {"mounts", {{{"path", "/data"}}}}}).find("mounts[0].source"),
            std::string::npos);
  EXPECT_NE(field_of(json{{"command", "x"}, {"kind", "daemon"}}).find("spec.kind"), std::string::npos);
  EXPECT_NE(field_of(json::array()).find("spec"), std::string::npos);
}

}  // namespace
}  // namespace ava
