#include "store/store_config.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>

#include "store/s3_store.h"
#include "test_util.h"

namespace ava::store {
namespace {

EnvLookup NoEnv() {
  return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

Result<StoreConfig> Parse(const std::string& yaml) {
  AVA_ASSIGN_OR_RETURN(YamlDoc doc, ParseYaml(yaml, "mounts.yaml"));
  return ParseStoreConfig(doc, doc.root);
}

TEST(StoreConfigTest, DefaultsAndFullParse) {
  auto minimal = Parse("uri: mem://x\n");
  ASSERT_OK(minimal);
  EXPECT_EQ(minimal->region, "us-east-1");
  EXPECT_EQ(minimal->addressing, S3Addressing::kPath);
  EXPECT_EQ(minimal->max_attempts, 4);
  EXPECT_EQ(minimal->connect_timeout, std::chrono::seconds(5));

  auto full = Parse(
      "uri: s3://imagenet\nendpoint: https://rgw.example:8443\nregion: eu-west-1\naddressing: virtual\n"
      "profile: ceph\nconnect_timeout: 2s\nrequest_timeout: 1m\nmax_attempts: 6\nretry_base_delay: 20ms\n"
      "retry_max_delay: 2s\nmax_connections: 16\nverify_tls: false\nsign_payload: true\n");
  ASSERT_OK(full);
  EXPECT_EQ(full->endpoint, "https://rgw.example:8443");
  EXPECT_EQ(full->addressing, S3Addressing::kVirtualHost);
  EXPECT_EQ(full->profile, "ceph");
  EXPECT_EQ(full->request_timeout, std::chrono::minutes(1));
  EXPECT_EQ(full->max_attempts, 6);
  EXPECT_EQ(full->retry_base_delay, std::chrono::milliseconds(20));
  EXPECT_EQ(full->max_connections, 16);
  EXPECT_FALSE(full->verify_tls);
  EXPECT_TRUE(full->sign_payload);
}

TEST(StoreConfigTest, ErrorsNameFileLineAndKey) {
  auto typo = Parse("uri: mem://x\nregoin: us-east-1\n");
  ASSERT_STATUS(typo, kInvalidArgument);
  EXPECT_NE(typo.status().message().find("mounts.yaml:2:1: unknown key 'regoin' (did you mean 'region'?)"),
            std::string::npos)
      << typo.status();

  auto addressing = Parse("uri: s3://b12\naddressing: sideways\n");
  ASSERT_STATUS(addressing, kInvalidArgument);
  EXPECT_NE(addressing.status().message().find("mounts.yaml:2:13: 'addressing' must be 'path' or 'virtual'"),
            std::string::npos)
      << addressing.status();

  auto attempts = Parse("uri: mem://x\nmax_attempts: 0\n");
  ASSERT_STATUS(attempts, kInvalidArgument);
  EXPECT_NE(attempts.status().message().find("mounts.yaml:1:1: 'max_attempts' must be 1..20, got 0"),
            std::string::npos)
      << attempts.status();

  auto duration = Parse("uri: mem://x\nconnect_timeout: soon\n");
  ASSERT_STATUS(duration, kInvalidArgument);
  EXPECT_NE(duration.status().message().find("mounts.yaml:2:"), std::string::npos) << duration.status();

  EXPECT_STATUS(Parse("endpoint: http://h\n"), kInvalidArgument);  // no uri
}

TEST(StoreConfigTest, ValidateChecksUrisAndRanges) {
  auto msg = [](StoreConfig c) { return c.Validate().message(); };
  EXPECT_OK(StoreConfig{.uri = "s3://bucket@127.0.0.1:7480"}.Validate());
  EXPECT_OK(StoreConfig{.uri = "file:///data"}.Validate());
  EXPECT_NE(msg({.uri = "data"}).find("has no scheme"), std::string::npos);
  EXPECT_NE(msg({.uri = "gs://b"}).find("unknown scheme 'gs'"), std::string::npos);
  EXPECT_NE(msg({.uri = "file://relative"}).find("absolute path"), std::string::npos);
  EXPECT_NE(msg({.uri = "s3://Bad_Bucket"}).find("bucket name 'Bad_Bucket'"), std::string::npos);
  EXPECT_NE(msg({.uri = "s3://b12/sub"}).find("whole bucket"), std::string::npos);
  EXPECT_NE(msg({.uri = "s3://b12@h:1", .endpoint = "http://h:1"}).find("give one of them"),
            std::string::npos);
  EXPECT_NE(msg({.uri = "s3://b12", .endpoint = "h:1"}).find("'endpoint'"), std::string::npos);
  EXPECT_NE(msg({.uri = "mem://x", .access_key = "k"}).find("together"), std::string::npos);
  EXPECT_NE(msg({.uri = "mem://x", .max_connections = 0}).find("'max_connections' must be 1..4096"),
            std::string::npos);
  EXPECT_NE(msg({.uri = "mem://x", .retry_base_delay = std::chrono::seconds(10)}).find("'retry_base_delay'"),
            std::string::npos);
}

TEST(StoreConfigTest, OpensMemoryAndPosixStoresWithMetrics) {
  FakeClock clock;
  MetricsRegistry metrics;
  auto mem = OpenStore({.uri = "mem://unit"}, {.clock = &clock, .metrics = &metrics, .env = NoEnv()});
  ASSERT_OK(mem);
  EXPECT_EQ((*mem)->Describe(), "mem://unit");
  ASSERT_OK((*mem)->Put("k", "v"));
  auto m = ParsePrometheusText(metrics.RenderPrometheus());
  EXPECT_EQ(m["avafs_backend_requests_total{store=\"mem://unit\",op=\"put\"}"], 1);

  ava::testing::TempDir dir;
  auto posix = OpenStore({.uri = "file://" + dir.path()}, {.clock = &clock, .env = NoEnv()});
  ASSERT_OK(posix);
  EXPECT_EQ((*posix)->Describe(), "file://" + dir.path());
  EXPECT_STATUS(OpenStore({.uri = "file://" + dir.Sub("missing")}, {.clock = &clock, .env = NoEnv()}),
                kNotFound);
}

TEST(StoreConfigTest, S3WithoutCredentialsFailsClearly) {
  FakeClock clock;
  ava::testing::TempDir home;
  auto env = [&](const std::string& name) -> std::optional<std::string> {
    if (name == "HOME") return home.path();
    return std::nullopt;
  };
  auto s3 = OpenStore({.uri = "s3://bucket@127.0.0.1:1"}, {.clock = &clock, .env = env});
  ASSERT_STATUS(s3, kUnauthenticated);
  EXPECT_NE(s3.status().message().find("no S3 credentials"), std::string::npos) << s3.status();
}

TEST(StoreConfigTest, S3UnreachableEndpointFailsAtOpen) {
  // Nothing listens on port 1 of the loopback: connection refused, without any server.
  FakeClock clock;
  auto s3 =
      OpenStore({.uri = "s3://bucket@127.0.0.1:1", .access_key = "k", .secret_key = "s", .max_attempts = 2},
                {.clock = &clock, .env = NoEnv()});
  ASSERT_STATUS(s3, kUnavailable);
  EXPECT_TRUE(s3.status().retryable());
  EXPECT_NE(s3.status().message().find("cannot reach http://127.0.0.1:1: connection refused"),
            std::string::npos)
      << s3.status();
  EXPECT_NE(s3.status().message().find("opening s3://bucket@127.0.0.1:1"), std::string::npos) << s3.status();
}

// Needs a real S3 endpoint (integration): bad credentials and a missing bucket fail the open.
TEST(StoreConfigTest, S3RejectedCredentialsAndMissingBucketFailAtOpen) {
  const char* endpoint = std::getenv("AVA_S3_ENDPOINT");
  if (endpoint == nullptr || *endpoint == '\0') {
    GTEST_SKIP() << "AVA_S3_ENDPOINT is not set; run: eval \"$(scripts/ceph-s3.sh env)\"";
  }
  SystemClock clock;
  std::random_device rd;
  std::string bucket = fmt::format("ava-config-{:08x}", rd());
  auto wrong = OpenStore({.uri = "s3://" + bucket,
                          .endpoint = endpoint,
                          .access_key = "AVATESTACCESSKEY0001",
                          .secret_key = "not-the-secret",
                          .max_attempts = 1},
                         {.clock = &clock, .env = NoEnv()});
  ASSERT_STATUS(wrong, kUnauthenticated);
  EXPECT_NE(wrong.status().message().find("credentials rejected by s3://" + bucket), std::string::npos)
      << wrong.status();
  EXPECT_NE(wrong.status().message().find("SignatureDoesNotMatch"), std::string::npos) << wrong.status();

  auto missing = OpenStore({.uri = "s3://" + bucket, .endpoint = endpoint}, {.clock = &clock});
  ASSERT_STATUS(missing, kNotFound);
  EXPECT_NE(missing.status().message().find("bucket " + bucket + " does not exist"), std::string::npos)
      << missing.status();
}

}  // namespace
}  // namespace ava::store
