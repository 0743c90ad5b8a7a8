// The job spec parser: what users write, the field named when it is wrong, and that nothing a
// client sends makes it crash (a small fuzz over mutated specs and hostile nesting).
#include "api/job_spec.h"

#include <gtest/gtest.h>

#include <random>

#include "test_util.h"

namespace ava::api {
namespace {

constexpr const char* kSpec = R"(
name: fashion-mnist-train
kind: job
command: ["python3", "train.py", "--epochs", "1"]
workdir: /work
env: {SEED: "1"}
resources:
  gpus: 2
  gpu_model: "V100|A100"
  cpus: 2.5
  memory: 4GiB
gang: 2
priority: 5
max_runtime: 2h
mounts:
  - path: /data
    source: dataset/fashion-mnist
    readonly: true
  - path: /outputs
    source: scratch
    readonly: false
report: /outputs/report.json
)";

struct Parsed {
  Status status;
  std::string field;
  JobSpec spec;
};

Parsed Parse(std::string_view text, std::optional<db::JobKind> kind = std::nullopt) {
  Parsed p;
  p.status = ParseJobSpec(text, kind, &p.spec, &p.field);
  return p;
}

TEST(JobSpecTest, ReadsEveryField) {
  Parsed p = Parse(kSpec);
  ASSERT_OK(p.status);
  const JobSpec& s = p.spec;
  EXPECT_EQ(s.name, "fashion-mnist-train");
  EXPECT_EQ(s.kind, db::JobKind::kJob);
  EXPECT_EQ(s.command, (std::vector<std::string>{"python3", "train.py", "--epochs", "1"}));
  EXPECT_FALSE(s.shell);
  EXPECT_EQ(s.workdir, "/work");
  EXPECT_EQ(s.env.at("SEED"), "1");
  EXPECT_EQ(s.gpus, 2);
  EXPECT_EQ(s.gpu_models, (std::vector<std::string>{"V100", "A100"}));
  EXPECT_EQ(s.cpu_milli, 2500);
  EXPECT_EQ(s.memory_bytes, 4ull << 30);
  EXPECT_EQ(s.gang, 2);
  EXPECT_EQ(s.priority, 5);
  EXPECT_EQ(s.max_runtime, std::chrono::hours(2));
  ASSERT_EQ(s.mounts.size(), 2u);
  EXPECT_EQ(s.mounts[1].path, "/outputs");
  EXPECT_FALSE(s.mounts[1].readonly);
  EXPECT_TRUE(s.mounts[0].readonly);
  EXPECT_EQ(s.report, "/outputs/report.json");
  EXPECT_EQ(s.GpuModelText(), "V100|A100");
}

TEST(JobSpecTest, JsonAndShellCommandAndFractions) {
  Parsed p = Parse(R"({"name": "x", "command": "echo hi && sleep 1", "resources": {"gpu_milli": 250}})");
  ASSERT_OK(p.status);
  EXPECT_TRUE(p.spec.shell);
  EXPECT_EQ(p.spec.command, (std::vector<std::string>{"echo hi && sleep 1"}));
  EXPECT_EQ(p.spec.gpus, 1);
  EXPECT_EQ(p.spec.gpu_milli, 250);
  EXPECT_DOUBLE_EQ(p.spec.GpusPerMember(), 0.25);
  EXPECT_TRUE(p.spec.MemberRequest().is_fractional());
}

TEST(JobSpecTest, NormalisedJsonReadsBackTheSame) {
  Parsed p = Parse(kSpec);
  ASSERT_OK(p.status);
  const std::string json = JobSpecToJson(p.spec).dump();
  Parsed again = Parse(json);
  ASSERT_OK(again.status);
  EXPECT_EQ(JobSpecToJson(again.spec), JobSpecToJson(p.spec));
  EXPECT_EQ(again.spec.memory_bytes, p.spec.memory_bytes);
  EXPECT_EQ(again.spec.max_runtime, p.spec.max_runtime);
}

TEST(JobSpecTest, WorkspaceDefaults) {
  Parsed p = Parse("resources: {gpus: 1}", db::JobKind::kWorkspace);
  ASSERT_OK(p.status);
  EXPECT_EQ(p.spec.kind, db::JobKind::kWorkspace);
  EXPECT_EQ(p.spec.idle_timeout, kDefaultIdleTimeout);
  EXPECT_EQ(p.spec.command, (std::vector<std::string>{"sleep", "infinity"}));
  Parsed custom = Parse("kind: workspace\nidle_timeout: 30m\ncommand: [jupyter, lab]");
  ASSERT_OK(custom.status);
  EXPECT_EQ(custom.spec.idle_timeout, std::chrono::minutes(30));
}

struct BadCase {
  const char* spec;
  const char* field;
  const char* says;  // a piece of the message
};

TEST(JobSpecTest, ErrorsNameTheField) {
  const BadCase cases[] = {
      {"command: [a]\nresources: {gpus: two}", "resources.gpus", "whole number"},
      {"command: [a]\nresources: {gpus: 17}", "resources.gpus", "0..16"},
      {"command: [a]\nresources: {gpu: 1}", "resources.gpu", "did you mean 'gpus'"},
      {"command: [a]\ncomand: [b]", "comand", "did you mean 'command'"},
      {"name: x", "command", "command is required"},
      {"command: []", "command", "must not be empty"},
      {"command: [a]\nresources: {gpus: 2, gpu_milli: 500}", "resources.gpu_milli", "share of one GPU"},
      {"command: [a]\nresources: {gpu_milli: 0}", "resources.gpu_milli", "1..1000"},
      {"command: [a]\nresources: {memory: 12 parsecs}", "resources.memory", "unknown size unit"},
      {"command: [a]\nresources: {cpus: -1}", "resources.cpus", "number of cores"},
      {"command: [a]\nresources: {gpu_model: 'V100||A100', gpus: 1}", "resources.gpu_model",
       "separated by '|'"},
      {"command: [a]\nresources: {gpu_model: V100}", "resources.gpu_model", "no GPUs"},
      {"command: [a]\nmax_runtime: soon", "max_runtime", "not a duration"},
      {"command: [a]\nmax_runtime: 0s", "max_runtime", "more than 0"},
      {"command: [a]\nidle_timeout: 5m", "idle_timeout", "workspaces only"},
      {"command: [a]\nmounts: [{path: data, source: x}]", "mounts[0].path", "absolute path"},
      {"command: [a]\nmounts: [{path: /data}]", "mounts[0].source", "required"},
      {"command: [a]\nmounts: [{path: /d, source: x, readonly: maybe}]", "mounts[0].readonly",
       "true or false"},
      {"command: [a]\nenv: {1BAD: x}", "env.1BAD", "not a valid environment variable"},
      {"command: [a]\ngang: 0", "gang", "1..64"},
      {"command: [a]\npriority: 100000", "priority", "-1000..1000"},
      {"command: [a]\nkind: batch", "kind", "kind"},
      {"kind: job\ncommand: [a]\nreport: out.json", "report", "absolute path"},
      {"kind: workspace\ngang: 2", "gang", "one node"},
  };
  for (const BadCase& c : cases) {
    Parsed p = Parse(c.spec);
    EXPECT_EQ(p.status.code(), Code::kInvalidArgument) << c.spec;
    EXPECT_EQ(p.field, c.field) << c.spec << " → " << p.status;
    EXPECT_NE(p.status.message().find(c.says), std::string::npos) << c.spec << " → " << p.status;
  }
}

TEST(JobSpecTest, EndpointKindWins) {
  Parsed p = Parse("kind: job\ncommand: [a]", db::JobKind::kWorkspace);
  EXPECT_STATUS(p.status, kInvalidArgument);
  EXPECT_EQ(p.field, "kind");
}

TEST(JobSpecTest, NotYamlAtAll) {
  Parsed p = Parse("name: [unclosed");
  EXPECT_STATUS(p.status, kInvalidArgument);
  EXPECT_NE(p.status.message().find("not valid YAML"), std::string::npos) << p.status;
  Parsed scalar = Parse("just words");
  EXPECT_STATUS(scalar.status, kInvalidArgument);
}

TEST(JobSpecTest, RefusesHostileNestingBeforeParsing) {
  std::string deep(200000, '[');
  Parsed p = Parse("command: " + deep);
  EXPECT_STATUS(p.status, kInvalidArgument);
  EXPECT_NE(p.status.message().find("nests deeper"), std::string::npos) << p.status;
  // Brackets inside quotes do not count.
  Parsed quoted = Parse("command: [\"" + std::string(100, '[') + "\"]");
  EXPECT_OK(quoted.status);
  Parsed huge = Parse(std::string(kMaxSpecBytes + 1, ' '));
  EXPECT_STATUS(huge.status, kInvalidArgument);
}

// Mutations of a valid spec (bytes flipped, dropped, duplicated, cut) and random byte soup must
// all come back as OK or InvalidArgument — never a crash, a hang or another code.
TEST(JobSpecTest, FuzzedSpecsNeverCrash) {
  std::mt19937_64 rng(20240601);
  const std::string base = kSpec;
  const std::string alphabet = "{}[]:,-\"'\n #&*!|>%@`\\\t0123456789abcxyz.\x01\xff";
  int ok = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string s = base;
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      const size_t at = rng() % s.size();
      switch (rng() % 4) {
        case 0:
          s[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          s.erase(at, 1 + rng() % 5);
          break;
        case 2:
          s.insert(at, s.substr(at, std::min<size_t>(s.size() - at, rng() % 20)));
          break;
        case 3:
          s.resize(at);
          break;
      }
    }
    JobSpec spec;
    std::string field;
    Status st = ParseJobSpec(s, std::nullopt, &spec, &field);
    ASSERT_TRUE(st.ok() || st.code() == Code::kInvalidArgument) << st << "\n" << s;
    ok += st.ok();
  }
  for (int i = 0; i < 1000; ++i) {
    std::string s(rng() % 300, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 256);
    JobSpec spec;
    std::string field;
    Status st = ParseJobSpec(s, std::nullopt, &spec, &field);
    ASSERT_TRUE(st.ok() || st.code() == Code::kInvalidArgument) << st;
  }
  // The mutations are small enough that some specs stay valid: the fuzz exercised both outcomes.
  EXPECT_GT(ok, 0);
}

}  // namespace
}  // namespace ava::api
