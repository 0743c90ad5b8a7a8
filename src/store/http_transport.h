// HttpTransport: sends one HTTP request and returns the response — the seam between S3Store and
// the network. CurlTransport (curl_transport.h) is the real one; tests script a fake one to
// exercise retries and error mapping without a server.
//
// Errors: a request that got no HTTP response (connection refused, DNS failure, timeout, reset)
// is an error Status — Unavailable and retryable for transient failures, naming the endpoint
// ("cannot reach http://127.0.0.1:7481: connection refused"). Any HTTP response, 4xx and 5xx
// included, is an OK Result carrying the status code: judging it is the caller's business.
// Thread safety: implementations are safe for concurrent Send calls.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace ava::store {

struct HttpRequest {
  std::string method;  // GET, HEAD, PUT, POST, DELETE
  std::string url;     // complete and already encoded: "http://host:port/bucket/a%20b?uploads="
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;  // not owned; must stay valid until Send returns
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  // The first header named `name` (lower-case), or nullptr.
  const std::string* Header(std::string_view name) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

}  // namespace ava::store
