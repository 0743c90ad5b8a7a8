#include "common/yaml_config.h"

#include "test_util.h"

namespace ava {
namespace {

TEST(YamlConfigTest, SyntaxErrorNamesFileLineAndColumn) {
  Result<YamlDoc> doc = ParseYaml("a: 1\nb: [1, 2\n", "mounts.yaml");
  ASSERT_STATUS(doc, kInvalidArgument);
  EXPECT_NE(doc.status().message().find("mounts.yaml:"), std::string::npos) << doc.status();
}

TEST(YamlConfigTest, MissingFileIsNotFound) {
  EXPECT_STATUS(LoadYamlFile("/nonexistent/ava.yaml"), kNotFound);
}

TEST(YamlConfigTest, TypedGettersUseFallbackAndNameBadValues) {
  auto doc = ParseYaml("size: 4GiB\nttl: 30s\nname: x\nbad: 12 parsecs\nflag: maybe\n", "c.yaml");
  ASSERT_OK(doc);
  const YAML::Node& root = doc->root;
  EXPECT_EQ(*GetBytes(*doc, root, "size"), 4ull << 30);
  EXPECT_EQ(*GetDuration(*doc, root, "ttl"), std::chrono::seconds(30));
  EXPECT_EQ(*GetString(*doc, root, "missing", std::string("dflt")), "dflt");
  Result<uint64_t> bad = GetBytes(*doc, root, "bad");
  ASSERT_STATUS(bad, kInvalidArgument);
  EXPECT_NE(bad.status().message().find("c.yaml:4:6: 'bad'"), std::string::npos) << bad.status();
  EXPECT_STATUS(GetBool(*doc, root, "flag"), kInvalidArgument);
  Result<std::string> req = GetString(*doc, root, "required_key");
  ASSERT_STATUS(req, kInvalidArgument);
  EXPECT_NE(req.status().message().find("missing required key 'required_key'"), std::string::npos);
}

TEST(YamlConfigTest, UnknownKeySuggestsTheClosestOne) {
  auto doc = ParseYaml("capacty: 1GiB\n", "c.yaml");
  ASSERT_OK(doc);
  Status s = CheckKeys(*doc, doc->root, {"capacity", "high_watermark"});
  ASSERT_STATUS(s, kInvalidArgument);
  EXPECT_NE(s.message().find("c.yaml:1:1: unknown key 'capacty' (did you mean 'capacity'?)"),
            std::string::npos)
      << s;
}

}  // namespace
}  // namespace ava
