#include "api/api_server.h"

#include "api/scheduler_pool_planner.h"
#include "sched/policy_factory.h"

namespace ava::api {

Result<std::unique_ptr<ApiServer>> ApiServer::Create(db::Store& store, Clock& clock, ApiServerOptions options,
                                                     Logger* logger, MetricsRegistry* metrics,
                                                     std::unique_ptr<PoolPlanner> planner) {
  if (planner == nullptr) {
    bool known = false;
    for (std::string_view p : sched::PolicyNames()) known |= p == options.policy;
    if (!known) {
      return Status::NotFound(fmt::format("no placement policy '{}' (known: {})", options.policy,
                                          fmt::join(sched::PolicyNames(), ", ")));
    }
    sched::SchedulerOptions so;
    so.policy = options.policy;
    so.seed = options.seed;
    planner = std::make_unique<SchedulerPoolPlanner>(std::move(so), &clock, logger);
  }
  return std::unique_ptr<ApiServer>(
      new ApiServer(store, clock, std::move(options), logger, metrics, std::move(planner)));
}

ApiServer::ApiServer(db::Store& store, Clock& clock, ApiServerOptions options, Logger* logger,
                     MetricsRegistry* metrics, std::unique_ptr<PoolPlanner> planner)
    : options_(std::move(options)), auth_(store) {
  plane_ = std::make_unique<ControlPlane>(store, clock, std::move(planner), options_.plane, logger, metrics);
  ctx_ = std::unique_ptr<ApiContext>(new ApiContext{store, *plane_, clock, logger, metrics});
  httplib::Server& server = http_.server();
  const int threads = options_.http_threads;
  // httplib owns the queue it is given.
  server.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  server.set_payload_max_length(2 * kMaxSpecBytes);
  router_ = std::make_unique<Router>(server, auth_, clock, metrics, logger);
  RegisterSystemRoutes(*router_, *ctx_);
  RegisterUserRoutes(*router_, *ctx_);
  RegisterGroupRoutes(*router_, *ctx_);
  RegisterTokenRoutes(*router_, *ctx_);
  RegisterNodeRoutes(*router_, *ctx_);
  RegisterGpuRoutes(*router_, *ctx_);
  RegisterQuotaRoutes(*router_, *ctx_);
  RegisterJobRoutes(*router_, *ctx_);
  RegisterEventRoutes(*router_, *ctx_);
  RegisterLogRoutes(*router_, *ctx_);
  RegisterWorkspaceRoutes(*router_, *ctx_);
  RegisterQueueRoutes(*router_, *ctx_);
  RegisterAgentRoutes(*router_, *ctx_);
}

ApiServer::~ApiServer() { Stop(); }

Result<int> ApiServer::Start(const std::string& host, int port) {
  AVA_ASSIGN_OR_RETURN(int bound, http_.Start(host, port));
  Status first = plane_->RunPass();
  if (!first.ok())
    AVA_LOG(ctx_->logger, kWarn, "sched", "first scheduling pass failed: {}", first.ToString());
  plane_->StartTicker(options_.tick_interval);
  return bound;
}

void ApiServer::Stop() {
  if (stopped_) return;
  stopped_ = true;
  plane_->Shutdown();
  http_.Stop();
}

}  // namespace ava::api
