// AvadClient: the three calls an agent makes to avad (docs/api.md, "Agents"), as an interface so the
// agent's loop can be tested against a scripted avad; HttpAvadClient is the real one (cpp-httplib,
// `Authorization: Bearer <agent token>`).
//
// Errors: a refused call returns the Status named by avad's error body ({"error": {"code": …}}) or
// by the HTTP status (401 Unauthenticated, 403 PermissionDenied, 404 NotFound, 409
// FailedPrecondition, 400 InvalidArgument); those are not retryable. No answer, a 5xx or 429 is
// Unavailable and retryable: the agent keeps its state and tries again next round.
// Thread safety: HttpAvadClient is safe for concurrent calls (one connection per call).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/output_log.h"
#include "agent/protocol.h"
#include "common/clock.h"
#include "common/result.h"

namespace ava::agent {

class AvadClient {
 public:
  virtual ~AvadClient() = default;
  virtual Result<RegisterReply> Register(const std::string& node, const std::string& address,
                                         const nlohmann::json& inventory,
                                         const std::string& agent_version) = 0;
  virtual Result<HeartbeatReply> Heartbeat(const std::string& node, const std::vector<RunningJob>& running,
                                           const std::vector<FinishedJob>& finished) = 0;
  virtual Status ShipLogs(JobId job, const std::vector<OutputRecord>& chunks) = 0;
};

class HttpAvadClient final : public AvadClient {
 public:
  // `server` is "http://host:port" (or https); `token` may be empty (no Authorization header).
  HttpAvadClient(std::string server, std::string token, Nanos timeout = std::chrono::seconds(10))
      : server_(std::move(server)), token_(std::move(token)), timeout_(timeout) {}

  Result<RegisterReply> Register(const std::string& node, const std::string& address,
                                 const nlohmann::json& inventory, const std::string& agent_version) override;
  Result<HeartbeatReply> Heartbeat(const std::string& node, const std::vector<RunningJob>& running,
                                   const std::vector<FinishedJob>& finished) override;
  Status ShipLogs(JobId job, const std::vector<OutputRecord>& chunks) override;

 private:
  // POSTs JSON to `path` and returns the JSON answer of a 2xx (null for an empty body).
  Result<nlohmann::json> Post(const std::string& path, const nlohmann::json& body);

  const std::string server_;
  const std::string token_;
  const Nanos timeout_;
};

// The Status for an HTTP answer that is not 2xx: avad's error body when it has one.
Status StatusFromHttp(int http_status, const std::string& body);

// The token in `path`, surrounding whitespace removed; NotFound/PermissionDenied from the file system,
// InvalidArgument when the file is empty.
Result<std::string> ReadTokenFile(const std::string& path);

}  // namespace ava::agent
