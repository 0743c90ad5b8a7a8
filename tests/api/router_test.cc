// The router's promises that no single handler can break: an exception becomes a 500 in the error
// shape, unknown paths answer JSON 404s, path parameters arrive by name, access levels hold.
#include "api/router.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "api/bootstrap.h"
#include "common/http_server.h"
#include "db/open_store.h"
#include "test_util.h"

namespace ava::api {
namespace {

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<db::Store>> s = db::OpenStore("sqlite::memory:");
    ASSERT_OK(s);
    store_ = std::move(s).value();
    auth_ = std::make_unique<Authenticator>(*store_);
    router_ = std::make_unique<Router>(http_.server(), *auth_, clock_, &metrics_, nullptr);
    router_->Add("GET", "/boom", Access::kPublic,
                 [](ApiRequest&) -> Response { throw std::runtime_error("bug"); });
    router_->Add("GET", "/odd", Access::kPublic, [](ApiRequest&) -> Response { throw 42; });
    router_->Add("GET", "/v1/things/{kind}/{id}", Access::kUser, [](ApiRequest& r) {
      return JsonResponse(
          Json{{"kind", r.params["kind"]}, {"id", r.params["id"]}, {"who", r.caller.user.name}});
    });
    router_->Add("GET", "/admin-only", Access::kAdmin,
                 [](ApiRequest&) { return JsonResponse(Json::object()); });
    Result<int> port = http_.Start("127.0.0.1", 0);
    ASSERT_OK(port);
    Result<std::optional<std::string>> admin = EnsureAdmin(*store_, "root");
    ASSERT_OK(admin);
    admin_ = **admin;
    Result<db::User> bob = store_->CreateUser("bob", false);
    ASSERT_OK(bob);
    Result<db::IssuedToken> t = store_->CreateToken(bob->id, "t", std::nullopt);
    ASSERT_OK(t);
    bob_ = t->secret;
  }
  void TearDown() override { http_.Stop(); }

  httplib::Result Get(const std::string& path, const std::string& token = "") {
    httplib::Client c("127.0.0.1", http_.port());
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return c.Get(path, h);
  }

  FakeClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<db::Store> store_;
  std::unique_ptr<Authenticator> auth_;
  HttpServer http_;
  std::unique_ptr<Router> router_;
  std::string admin_, bob_;
};

TEST_F(RouterTest, AThrowingHandlerAnswers500InTheErrorShape) {
  for (const char* path : {"/boom", "/odd"}) {
    auto r = Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500);
    Json j = Json::parse(r->body);
    EXPECT_EQ(j["error"]["code"], "Internal") << r->body;
    EXPECT_EQ(r->body.find("bug"), std::string::npos) << "internal details leak: " << r->body;
  }
  // The server keeps serving.
  auto ok = Get("/v1/things/gpu/7", bob_);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(RouterTest, PathParametersAccessAndUnknownPaths) {
  auto r = Get("/v1/things/gpu/7", bob_);
  ASSERT_TRUE(r);
  Json j = Json::parse(r->body);
  EXPECT_EQ(j["kind"], "gpu");
  EXPECT_EQ(j["id"], "7");
  EXPECT_EQ(j["who"], "bob");
  EXPECT_EQ(Get("/v1/things/gpu/7")->status, 401);
  EXPECT_EQ(Get("/admin-only", bob_)->status, 403);
  EXPECT_EQ(Get("/admin-only", admin_)->status, 200);
  auto missing = Get("/v1/nothing/here", bob_);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(Json::parse(missing->body)["error"]["code"], "NotFound");
  ASSERT_EQ(router_->routes().size(), 4u);
  EXPECT_EQ(router_->routes()[2].path, "/v1/things/{kind}/{id}");
  Get("/boom");
  const auto m = ParsePrometheusText(metrics_.RenderPrometheus());
  EXPECT_EQ(m.at("ava_api_requests_total{method=\"GET\",route=\"/boom\",status=\"500\"}"), 1);
  EXPECT_EQ(m.at("ava_api_requests_total{method=\"GET\",route=\"/admin-only\",status=\"403\"}"), 1);
}

}  // namespace
}  // namespace ava::api
