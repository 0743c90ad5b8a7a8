#include "store/credentials.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "test_util.h"

namespace ava::store {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

constexpr char kFile[] = R"(# comment
[default]
aws_access_key_id = DEFAULTKEY
aws_secret_access_key=DEFAULTSECRET

; another comment
[ceph]
AWS_ACCESS_KEY_ID = CEPHKEY
aws_secret_access_key = CEPHSECRET
aws_session_token = CEPHTOKEN

[profile broken]
aws_access_key_id = ONLYKEY
)";

TEST(CredentialsTest, ParsesProfilesFromIniText) {
  auto def = ParseCredentialsFile(kFile, "default", "creds");
  ASSERT_OK(def);
  EXPECT_EQ(def->access_key, "DEFAULTKEY");
  EXPECT_EQ(def->secret_key, "DEFAULTSECRET");
  EXPECT_EQ(def->session_token, "");
  auto ceph = ParseCredentialsFile(kFile, "ceph", "creds");
  ASSERT_OK(ceph);
  EXPECT_EQ(ceph->access_key, "CEPHKEY");
  EXPECT_EQ(ceph->session_token, "CEPHTOKEN");
  EXPECT_STATUS(ParseCredentialsFile(kFile, "missing", "creds"), kNotFound);
  auto broken = ParseCredentialsFile(kFile, "broken", "creds");
  EXPECT_STATUS(broken, kInvalidArgument);
  EXPECT_NE(broken.status().message().find("aws_secret_access_key"), std::string::npos);
  auto bad = ParseCredentialsFile("[default]\njust words\n", "default", "creds");
  EXPECT_STATUS(bad, kInvalidArgument);
  EXPECT_NE(bad.status().message().find("creds:2:"), std::string::npos) << bad.status();
}

TEST(CredentialsTest, ExplicitConfigWinsOverEnvironmentAndFile) {
  CredentialSource src{.explicit_credentials = {"CFGKEY", "CFGSECRET", ""}};
  auto c =
      ResolveCredentials(src, Env({{"AWS_ACCESS_KEY_ID", "ENVKEY"}, {"AWS_SECRET_ACCESS_KEY", "ENVSECRET"}}));
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key, "CFGKEY");
  EXPECT_STATUS(ResolveCredentials({.explicit_credentials = {"CFGKEY", "", ""}}, Env({})), kInvalidArgument);
}

TEST(CredentialsTest, EnvironmentWinsOverFile) {
  ava::testing::TempDir dir;
  std::ofstream(dir.Sub("credentials")) << kFile;
  auto c = ResolveCredentials({}, Env({{"AWS_ACCESS_KEY_ID", "ENVKEY"},
                                       {"AWS_SECRET_ACCESS_KEY", "ENVSECRET"},
                                       {"AWS_SESSION_TOKEN", "ENVTOKEN"},
                                       {"AWS_SHARED_CREDENTIALS_FILE", dir.Sub("credentials")}}));
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key, "ENVKEY");
  EXPECT_EQ(c->session_token, "ENVTOKEN");
  EXPECT_STATUS(ResolveCredentials({}, Env({{"AWS_ACCESS_KEY_ID", "ENVKEY"}})), kInvalidArgument);
}

TEST(CredentialsTest, FileAndProfileLookupOrder) {
  ava::testing::TempDir dir;
  std::ofstream(dir.Sub("credentials")) << kFile;
  std::filesystem::create_directories(dir.Sub("home/.aws"));
  std::ofstream(dir.Sub("home/.aws/credentials"))
      << "[default]\naws_access_key_id=HOMEKEY\naws_secret_access_key=S\n";

  // $HOME/.aws/credentials, default profile.
  auto home = ResolveCredentials({}, Env({{"HOME", dir.Sub("home")}}));
  ASSERT_OK(home);
  EXPECT_EQ(home->access_key, "HOMEKEY");
  // AWS_SHARED_CREDENTIALS_FILE beats $HOME; AWS_PROFILE picks the profile.
  auto env_file = ResolveCredentials({}, Env({{"HOME", dir.Sub("home")},
                                              {"AWS_SHARED_CREDENTIALS_FILE", dir.Sub("credentials")},
                                              {"AWS_PROFILE", "ceph"}}));
  ASSERT_OK(env_file);
  EXPECT_EQ(env_file->access_key, "CEPHKEY");
  // The config's file and profile beat both.
  auto cfg = ResolveCredentials({.credentials_file = dir.Sub("credentials"), .profile = "default"},
                                Env({{"HOME", dir.Sub("home")}, {"AWS_PROFILE", "ceph"}}));
  ASSERT_OK(cfg);
  EXPECT_EQ(cfg->access_key, "DEFAULTKEY");
}

TEST(CredentialsTest, NothingFoundNamesEveryPlaceLookedAt) {
  ava::testing::TempDir dir;
  auto none = ResolveCredentials({}, Env({{"HOME", dir.path()}}));
  EXPECT_STATUS(none, kUnauthenticated);
  const std::string& msg = none.status().message();
  EXPECT_NE(msg.find("access_key"), std::string::npos) << msg;
  EXPECT_NE(msg.find("AWS_ACCESS_KEY_ID"), std::string::npos) << msg;
  EXPECT_NE(msg.find(dir.path() + "/.aws/credentials does not exist"), std::string::npos) << msg;

  std::ofstream(dir.Sub("c")) << kFile;
  auto no_profile = ResolveCredentials({.credentials_file = dir.Sub("c"), .profile = "prod"}, Env({}));
  EXPECT_STATUS(no_profile, kUnauthenticated);
  EXPECT_NE(no_profile.status().message().find("has no [prod] profile"), std::string::npos)
      << no_profile.status();
}

}  // namespace
}  // namespace ava::store
