// The OpenAPI document served at /v1/openapi.json lists exactly the routes avad registers.
#include <gtest/gtest.h>

#include <set>

#include "api/openapi_document.h"
#include "api_test_env.h"

namespace ava::api::testing {
namespace {

TEST(OpenApiTest, EveryRouteIsDocumentedAndEveryDocumentedRouteExists) {
  ApiTestEnv env;
  ASSERT_TRUE(env.ok());
  Answer served = env.Get("/v1/openapi.json", "");
  ASSERT_EQ(served.status, 200);
  ASSERT_TRUE(served.json.is_object()) << "the served document is not JSON";
  EXPECT_EQ(served.body, std::string(OpenApiDocument()));
  EXPECT_EQ(served.json["openapi"].get<std::string>().substr(0, 2), "3.");

  std::set<std::string> documented;
  for (const auto& [path, ops] : served.json["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      if (method == "parameters") continue;
      std::string m = method;
      for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(m + " " + path);
      EXPECT_TRUE(op.contains("responses")) << m << " " << path << " has no responses";
      EXPECT_TRUE(op.contains("summary")) << m << " " << path << " has no summary";
    }
  }
  std::set<std::string> registered;
  for (const RouteInfo& r : env.server->routes()) {
    registered.insert(r.method + " " + r.path);
    const bool is_public = r.access == Access::kPublic;
    std::string lower = r.method;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const Json op = served.json["paths"][r.path][lower];
    // Public calls say they need no token; the others inherit the global bearer requirement.
    if (is_public) {
      EXPECT_EQ(op.value("security", Json::array({{{"x", 1}}})), Json::array()) << r.path;
    }
  }
  for (const std::string& r : registered) EXPECT_TRUE(documented.count(r)) << r << " is not in openapi.json";
  for (const std::string& d : documented)
    EXPECT_TRUE(registered.count(d)) << d << " is documented but not served";
}

}  // namespace
}  // namespace ava::api::testing
