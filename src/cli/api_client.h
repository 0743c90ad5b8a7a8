// ApiClient: the `ava` CLI's connection to avad — JSON calls with the bearer token, avad's error
// body turned back into a Status (its code, message and field), and streamed GETs for following
// logs. Server URLs are "http://host:port" or "https://host:port" (no path).
//
// Errors: a refused call returns the Status named by avad's error body ({"error": {"code": …}}), the
// offending field in *field when given; no answer at all is Unavailable naming the server.
// Thread safety: one client per thread.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/result.h"

namespace ava::cli {

using Json = nlohmann::json;

class ApiClient {
 public:
  // InvalidArgument when `server` is not an http(s) URL.
  static Result<std::unique_ptr<ApiClient>> Create(const std::string& server, const std::string& token);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  Result<Json> Get(const std::string& path, std::string* field = nullptr);
  Result<Json> Post(const std::string& path, const std::string& body, const std::string& content_type,
                    std::string* field = nullptr);
  Result<Json> Put(const std::string& path, const Json& body, std::string* field = nullptr);
  // Streams the body of a GET to `on_data` as it arrives (false from it stops). OK when the
  // answer ended normally.
  Status Stream(const std::string& path, const std::string& accept,
                const std::function<bool(std::string_view)>& on_data);

  const std::string& server() const { return server_; }

 private:
  struct Impl;
  ApiClient(std::string server, std::string token, std::unique_ptr<Impl> impl);
  Result<Json> Answer(const std::string& method, const std::string& path, int status, const std::string& body,
                      std::string* field);

  std::string server_;
  std::string token_;
  std::unique_ptr<Impl> impl_;
};

// The Status an error answer stands for; `field` gets error.field when present.
Status StatusFromError(int http_status, const std::string& body, std::string* field);

}  // namespace ava::cli
