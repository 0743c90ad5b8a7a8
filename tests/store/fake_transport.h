// FakeTransport: an HttpTransport that answers from a script, for unit tests of S3Store's
// retries, error mapping and request building without a server. Every request is recorded.
#pragma once

#include <strings.h>

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "store/http_transport.h"

namespace ava::store {

class FakeTransport final : public HttpTransport {
 public:
  struct Recorded {
    std::string method;
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    const std::string* Header(const std::string& name) const {
      for (const auto& [n, v] : headers) {
        if (strcasecmp(n.c_str(), name.c_str()) == 0) return &v;
      }
      return nullptr;
    }
  };

  // Queues the answer to the next request.
  void Respond(int status, std::string body = "",
               std::vector<std::pair<std::string, std::string>> headers = {}) {
    std::lock_guard lock(mu_);
    script_.push_back(HttpResponse{status, std::move(headers), std::move(body)});
  }
  void Fail(Status status) {
    std::lock_guard lock(mu_);
    script_.push_back(std::move(status));
  }

  Result<HttpResponse> Send(const HttpRequest& request) override {
    std::lock_guard lock(mu_);
    requests_.push_back(Recorded{request.method, request.url, request.headers, std::string(request.body)});
    if (script_.empty()) return Status::Internal("FakeTransport: no scripted answer for " + request.url);
    Result<HttpResponse> next = std::move(script_.front());
    script_.pop_front();
    return next;
  }

  std::vector<Recorded> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  size_t pending() const {
    std::lock_guard lock(mu_);
    return script_.size();
  }

 private:
  mutable std::mutex mu_;
  std::deque<Result<HttpResponse>> script_;
  std::vector<Recorded> requests_;
};

inline std::string S3ErrorXml(const std::string& code, const std::string& message = "msg") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message +
         "</Message><RequestId>req-1</RequestId></Error>";
}

}  // namespace ava::store
