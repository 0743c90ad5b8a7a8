#include "cli/api_client.h"

#include <fmt/format.h>
#include <httplib.h>

namespace ava::cli {

struct ApiClient::Impl {
  explicit Impl(const std::string& server) : client(server) {}
  httplib::Client client;
};

Result<std::unique_ptr<ApiClient>> ApiClient::Create(const std::string& server, const std::string& token) {
  std::string s = server;
  while (!s.empty() && s.back() == '/') s.pop_back();
  const bool scheme = s.starts_with("http://") || s.starts_with("https://");
  const size_t host_at = s.find("://") + 3;
  if (!scheme || s.size() <= host_at || s.find('/', host_at) != std::string::npos) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a server URL such as http://avad.example:7070 (see `ava login`)", server));
  }
  auto impl = std::make_unique<Impl>(s);
  impl->client.set_connection_timeout(10, 0);
  impl->client.set_read_timeout(300, 0);
  impl->client.set_write_timeout(60, 0);
  if (!token.empty()) impl->client.set_bearer_token_auth(token);
  return std::unique_ptr<ApiClient>(new ApiClient(s, token, std::move(impl)));
}

ApiClient::ApiClient(std::string server, std::string token, std::unique_ptr<Impl> impl)
    : server_(std::move(server)), token_(std::move(token)), impl_(std::move(impl)) {}

ApiClient::~ApiClient() = default;

Status StatusFromError(int http_status, const std::string& body, std::string* field) {
  Json j = Json::parse(body, nullptr, false);
  std::string code, message;
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const Json& e = j["error"];
    code = e.value("code", "");
    message = e.value("message", "");
    if (field != nullptr) *field = e.value("field", "");
  }
  if (message.empty()) message = fmt::format("avad answered HTTP {}", http_status);
  for (int c = 0; c <= static_cast<int>(Code::kInternal); ++c) {
    if (CodeName(static_cast<Code>(c)) != code) continue;
    switch (static_cast<Code>(c)) {
      case Code::kInvalidArgument:
        return Status::InvalidArgument(message);
      case Code::kNotFound:
        return Status::NotFound(message);
      case Code::kAlreadyExists:
        return Status::AlreadyExists(message);
      case Code::kPermissionDenied:
        return Status::PermissionDenied(message);
      case Code::kUnauthenticated:
        return Status::Unauthenticated(message);
      case Code::kResourceExhausted:
        return Status::ResourceExhausted(message);
      case Code::kFailedPrecondition:
        return Status::FailedPrecondition(message);
      case Code::kOutOfRange:
        return Status::OutOfRange(message);
      case Code::kNotSupported:
        return Status::NotSupported(message);
      case Code::kUnavailable:
        return Status::Unavailable(message);
      case Code::kDeadlineExceeded:
        return Status::DeadlineExceeded(message);
      default:
        return Status::Internal(message);
    }
  }
  if (http_status == 401) return Status::Unauthenticated(message);
  if (http_status == 403) return Status::PermissionDenied(message);
  if (http_status == 404) return Status::NotFound(message);
  if (http_status >= 500) return Status::Unavailable(message);
  return Status::InvalidArgument(message);
}

Result<Json> ApiClient::Answer(const std::string& method, const std::string& path, int status,
                               const std::string& body, std::string* field) {
  if (status < 200 || status >= 300) return StatusFromError(status, body, field);
  if (body.empty()) return Json::object();
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded()) {
    return Status::Internal(fmt::format("{} {}: avad's answer is not JSON", method, path));
  }
  return j;
}

namespace {

Status NoAnswer(const std::string& server, const httplib::Result& r) {
  return Status::Unavailable(
      fmt::format("cannot reach avad at {} ({})", server, httplib::to_string(r.error())));
}

}  // namespace

Result<Json> ApiClient::Get(const std::string& path, std::string* field) {
  httplib::Result r = impl_->client.Get(path);
  if (!r) return NoAnswer(server_, r);
  return Answer("GET", path, r->status, r->body, field);
}

Result<Json> ApiClient::Post(const std::string& path, const std::string& body,
                             const std::string& content_type, std::string* field) {
  httplib::Result r = impl_->client.Post(path, body, content_type);
  if (!r) return NoAnswer(server_, r);
  return Answer("POST", path, r->status, r->body, field);
}

Result<Json> ApiClient::Put(const std::string& path, const Json& body, std::string* field) {
  httplib::Result r = impl_->client.Put(path, body.dump(), "application/json");
  if (!r) return NoAnswer(server_, r);
  return Answer("PUT", path, r->status, r->body, field);
}

Status ApiClient::Stream(const std::string& path, const std::string& accept,
                         const std::function<bool(std::string_view)>& on_data) {
  int status = 0;
  std::string error_body;
  bool stopped = false;
  httplib::Headers headers = {{"Accept", accept}};
  httplib::Result r = impl_->client.Get(
      path, headers,
      [&](const httplib::Response& res) {
        status = res.status;
        return true;
      },
      [&](const char* data, size_t n) {
        if (status < 200 || status >= 300) {
          error_body.append(data, n);
          return true;
        }
        if (!on_data(std::string_view(data, n))) {
          stopped = true;
          return false;
        }
        return true;
      });
  if (stopped) return Status::OK();
  if (!r) return NoAnswer(server_, r);
  if (status < 200 || status >= 300) return StatusFromError(status, error_body, nullptr);
  return Status::OK();
}

}  // namespace ava::cli
