// ApiServer: avad's REST API on one HTTP listener — every route of docs/api.md registered through
// the Router, over a ControlPlane and a db::Store. avad's `serve` command runs one; tests run one
// in-process on an ephemeral port.
//
// Lifecycle: Create, Start(host, port) (port 0 picks a free one), Stop() (or destroy): Stop ends
// streaming answers (log follows) first, then joins the HTTP threads and the scheduling ticker.
// Errors: Create fails on an unknown placement policy (NotFound); Start when the address cannot be
// bound (Unavailable).
// Thread safety: Start/Stop from one thread; everything else runs on the server's threads.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "api/authenticator.h"
#include "api/control_plane.h"
#include "api/handler_util.h"
#include "api/pool_planner.h"
#include "api/router.h"
#include "common/http_server.h"

namespace ava::api {

struct ApiServerOptions {
  ControlPlaneOptions plane;
  std::string policy = "ava";  // sched placement policy (sched/policy_factory.h)
  uint64_t seed = 42;
  // Real-time period of the scheduling tick (timeouts, max_runtime, idle workspaces, a pass);
  // 0: no ticker (tests call plane().Tick() themselves).
  std::chrono::milliseconds tick_interval{2000};
  // HTTP worker threads; each open log follow holds one.
  int http_threads = 64;
};

class ApiServer {
 public:
  // `planner` null: the default planner for options.policy. `logger`, `metrics` may be null.
  static Result<std::unique_ptr<ApiServer>> Create(db::Store& store, Clock& clock, ApiServerOptions options,
                                                   Logger* logger, MetricsRegistry* metrics,
                                                   std::unique_ptr<PoolPlanner> planner = nullptr);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  Result<int> Start(const std::string& host, int port);
  void Stop();
  int port() const { return http_.port(); }

  ControlPlane& plane() { return *plane_; }
  const std::vector<RouteInfo>& routes() const { return router_->routes(); }

 private:
  ApiServer(db::Store& store, Clock& clock, ApiServerOptions options, Logger* logger,
            MetricsRegistry* metrics, std::unique_ptr<PoolPlanner> planner);

  const ApiServerOptions options_;
  HttpServer http_;
  Authenticator auth_;
  std::unique_ptr<ControlPlane> plane_;
  std::unique_ptr<ApiContext> ctx_;
  std::unique_ptr<Router> router_;
  bool stopped_ = false;
};

}  // namespace ava::api
