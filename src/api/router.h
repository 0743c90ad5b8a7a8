// Router: registers avad's routes on an httplib::Server and wraps every handler with what all of
// them share, so no handler repeats it:
//   - path templates in OpenAPI form ("/v1/jobs/{id}/logs"), their parameters handed over by name;
//   - authentication (Authorization: Bearer <token>) and the route's access level: kPublic needs
//     nothing, kUser any person, kAdmin an admin, kAgent a node agent; 401 without a valid token,
//     403 for the wrong kind of caller;
//   - the error shape and the Status → HTTP mapping (response.h, http_status.h);
//   - no exception escapes: anything thrown becomes a 500 with code Internal;
//   - per-route metrics: ava_api_request_seconds{method,route} (histogram) and
//     ava_api_requests_total{method,route,status} (counter);
//   - unknown paths answer 404 in the same JSON error shape.
// routes() lists what was registered, so a test can hold it against the OpenAPI document.
//
// Thread safety: Add() is called before the server starts; handlers run on the server's threads.
#pragma once

#include <httplib.h>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/authenticator.h"
#include "api/caller.h"
#include "api/response.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"

namespace ava::api {

enum class Access { kPublic, kUser, kAdmin, kAgent };

struct ApiRequest {
  const httplib::Request& http;
  std::map<std::string, std::string> params;  // path parameters by template name
  Caller caller;                              // empty for kPublic routes

  // The query parameter, or "" when absent.
  std::string Query(const std::string& key) const;
  bool HasQuery(const std::string& key) const { return http.has_param(key); }
};

struct RouteInfo {
  std::string method;  // "GET", "POST", "PUT", "DELETE"
  std::string path;    // OpenAPI template
  Access access;
};

class Router {
 public:
  using Handler = std::function<Response(ApiRequest&)>;

  // All references must outlive the server's handlers. `metrics` and `logger` may be null.
  Router(httplib::Server& server, Authenticator& auth, Clock& clock, MetricsRegistry* metrics,
         Logger* logger);
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  void Add(std::string method, std::string path, Access access, Handler handler);
  const std::vector<RouteInfo>& routes() const { return routes_; }

 private:
  void Serve(const RouteInfo& route, const std::vector<std::string>& names, const Handler& handler,
             const httplib::Request& req, httplib::Response& res);

  httplib::Server& server_;
  Authenticator& auth_;
  Clock& clock_;
  MetricsRegistry* metrics_;
  Logger* logger_;
  std::vector<RouteInfo> routes_;
};

}  // namespace ava::api
