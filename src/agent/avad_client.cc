#include "agent/avad_client.h"

#include <fmt/format.h>
#include <httplib.h>

#include "common/file_util.h"

namespace ava::agent {
namespace {

Status FromCodeName(std::string_view code, std::string msg) {
  if (code == "InvalidArgument" || code == "OutOfRange") return Status::InvalidArgument(std::move(msg));
  if (code == "Unauthenticated") return Status::Unauthenticated(std::move(msg));
  if (code == "PermissionDenied") return Status::PermissionDenied(std::move(msg));
  if (code == "NotFound") return Status::NotFound(std::move(msg));
  if (code == "AlreadyExists") return Status::AlreadyExists(std::move(msg));
  if (code == "FailedPrecondition") return Status::FailedPrecondition(std::move(msg));
  if (code == "NotSupported") return Status::NotSupported(std::move(msg));
  return Status::Unavailable(std::move(msg));
}

}  // namespace

Status StatusFromHttp(int http_status, const std::string& body) {
  std::string code;
  std::string message = body;
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const nlohmann::json& e = j["error"];
    if (e.contains("code") && e["code"].is_string()) code = e["code"].get<std::string>();
    if (e.contains("message") && e["message"].is_string()) message = e["message"].get<std::string>();
  }
  std::string msg = fmt::format("avad answered HTTP {}: {}", http_status, message);
  if (http_status == 429 || http_status >= 500) return Status::Unavailable(std::move(msg));
  if (!code.empty()) return FromCodeName(code, std::move(msg));
  switch (http_status) {
    case 401:
      return Status::Unauthenticated(std::move(msg));
    case 403:
      return Status::PermissionDenied(std::move(msg));
    case 404:
      return Status::NotFound(std::move(msg));
    case 409:
      return Status::FailedPrecondition(std::move(msg));
    default:
      return Status::InvalidArgument(std::move(msg));
  }
}

Result<std::string> ReadTokenFile(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status().Annotate("token file " + path);
  std::string t = *text;
  const size_t b = t.find_first_not_of(" \t\r\n");
  const size_t e = t.find_last_not_of(" \t\r\n");
  if (b == std::string::npos) return Status::InvalidArgument(fmt::format("token file {} is empty", path));
  return t.substr(b, e - b + 1);
}

Result<nlohmann::json> HttpAvadClient::Post(const std::string& path, const nlohmann::json& body) {
  httplib::Client cli(server_);
  if (!cli.is_valid())
    return Status::InvalidArgument(fmt::format("'{}' is not a usable server URL", server_));
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout_).count();
  cli.set_connection_timeout(secs > 0 ? secs : 1);
  cli.set_read_timeout(secs > 0 ? secs : 1);
  cli.set_write_timeout(secs > 0 ? secs : 1);
  httplib::Headers headers;
  if (!token_.empty()) headers.emplace("Authorization", "Bearer " + token_);
  httplib::Result r = cli.Post(path.c_str(), headers, DumpJson(body), "application/json");
  if (!r) {
    return Status::Unavailable(
        fmt::format("avad at {} does not answer {} ({})", server_, path, httplib::to_string(r.error())));
  }
  if (r->status < 200 || r->status >= 300) return StatusFromHttp(r->status, r->body).Annotate(path);
  if (r->body.empty()) return nlohmann::json();
  nlohmann::json j = nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Unavailable(fmt::format("avad sent invalid JSON for {}", path));
  return j;
}

Result<RegisterReply> HttpAvadClient::Register(const std::string& node, const std::string& address,
                                               const nlohmann::json& inventory,
                                               const std::string& agent_version) {
  AVA_ASSIGN_OR_RETURN(nlohmann::json j, Post("/v1/agent/register",
                                              RegisterRequestJson(node, address, inventory, agent_version)));
  return ParseRegisterReply(j);
}

Result<HeartbeatReply> HttpAvadClient::Heartbeat(const std::string& node,
                                                 const std::vector<RunningJob>& running,
                                                 const std::vector<FinishedJob>& finished) {
  AVA_ASSIGN_OR_RETURN(nlohmann::json j,
                       Post("/v1/agent/heartbeat", HeartbeatRequestJson(node, running, finished)));
  if (j.is_null()) return HeartbeatReply{};
  return ParseHeartbeatReply(j);
}

Status HttpAvadClient::ShipLogs(JobId job, const std::vector<OutputRecord>& chunks) {
  return Post(fmt::format("/v1/agent/jobs/{}/logs", job), LogChunksJson(chunks)).status();
}

}  // namespace ava::agent
