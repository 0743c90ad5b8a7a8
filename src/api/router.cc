#include "api/router.h"

#include <fmt/format.h>

#include <chrono>
#include <exception>
#include <memory>
#include <regex>

#include "api/http_status.h"

namespace ava::api {
namespace {

// "/v1/jobs/{id}/logs" → regex "/v1/jobs/([^/]+)/logs" and names {"id"}.
std::string TemplateToRegex(const std::string& path, std::vector<std::string>* names) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '{') {
      size_t end = path.find('}', i);
      names->push_back(path.substr(i + 1, end - i - 1));
      out += "([^/]+)";
      i = end;
    } else if (std::string_view(".^$|()[]*+?\\").find(c) != std::string_view::npos) {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view AccessName(Access a) {
  switch (a) {
    case Access::kPublic:
      return "public";
    case Access::kUser:
      return "user";
    case Access::kAdmin:
      return "admin";
    case Access::kAgent:
      return "agent";
  }
  return "?";
}

}  // namespace

std::string ApiRequest::Query(const std::string& key) const {
  return http.has_param(key) ? http.get_param_value(key) : std::string();
}

Router::Router(httplib::Server& server, Authenticator& auth, Clock& clock, MetricsRegistry* metrics,
               Logger* logger)
    : server_(server), auth_(auth), clock_(clock), metrics_(metrics), logger_(logger) {
  // Our own error answers carry a body; only httplib's bare ones (no route matched) get this.
  httplib::Server::HandlerWithResponse on_error = [](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    Status s = res.status == 404
                   ? Status::NotFound(fmt::format("no such API path: {} {}", req.method, req.path))
                   : Status::InvalidArgument(fmt::format("the request was malformed ({})", res.status));
    res.set_content(DumpJson(ErrorJson(s)) + "\n", "application/json");
    return httplib::Server::HandlerResponse::Handled;
  };
  server_.set_error_handler(on_error);
  server_.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(DumpJson(ErrorJson(Status::Internal("avad failed to answer this request"))) + "\n",
                    "application/json");
  });
}

void Router::Add(std::string method, std::string path, Access access, Handler handler) {
  routes_.push_back(RouteInfo{method, path, access});
  auto names = std::make_shared<std::vector<std::string>>();
  const std::string pattern = TemplateToRegex(path, names.get());
  RouteInfo route = routes_.back();
  auto fn = [this, route, names, handler = std::move(handler)](const httplib::Request& req,
                                                               httplib::Response& res) {
    Serve(route, *names, handler, req, res);
  };
  if (method == "GET") {
    server_.Get(pattern, fn);
  } else if (method == "POST") {
    server_.Post(pattern, fn);
  } else if (method == "PUT") {
    server_.Put(pattern, fn);
  } else if (method == "DELETE") {
    server_.Delete(pattern, fn);
  }
}

void Router::Serve(const RouteInfo& route, const std::vector<std::string>& names, const Handler& handler,
                   const httplib::Request& req, httplib::Response& res) {
  const Nanos start = clock_.Now();
  Response out;
  try {
    ApiRequest request{req, {}, {}};
    for (size_t i = 0; i < names.size() && i + 1 < req.matches.size(); ++i) {
      request.params[names[i]] = req.matches[i + 1].str();
    }
    Status denied;
    if (route.access != Access::kPublic) {
      Result<Caller> caller = auth_.Authenticate(req.get_header_value("Authorization"));
      if (!caller.ok()) {
        denied = caller.status();
      } else {
        request.caller = std::move(caller).value();
        if (route.access == Access::kAgent && !request.caller.is_agent()) {
          denied = Status::PermissionDenied("only node agents (tokens from `avad node-token`) may call this");
        } else if (route.access != Access::kAgent && request.caller.is_agent()) {
          denied = Status::PermissionDenied("an agent token may only call /v1/agent/…");
        } else if (route.access == Access::kAdmin && !request.caller.is_admin()) {
          denied = Status::PermissionDenied(fmt::format("{} {} is for admins", route.method, route.path));
        }
      }
    }
    out = denied.ok() ? handler(request) : ErrorResponse(denied);
  } catch (const std::exception& e) {
    AVA_LOG(logger_, kError, "api", "{} {} threw: {}", req.method, req.path, e.what());
    out = ErrorResponse(Status::Internal("avad failed to answer this request"));
  } catch (...) {
    AVA_LOG(logger_, kError, "api", "{} {} threw a non-standard exception", req.method, req.path);
    out = ErrorResponse(Status::Internal("avad failed to answer this request"));
  }

  res.status = out.status;
  if (out.stream) {
    StreamProducer producer = std::move(out.stream);
    Logger* logger = logger_;
    res.set_chunked_content_provider(out.content_type, [producer, logger](size_t, httplib::DataSink& sink) {
      ChunkWriter write = [&sink](std::string_view chunk) {
        if (chunk.empty()) return sink.is_writable();
        return sink.write(chunk.data(), chunk.size());
      };
      try {
        producer(write);
      } catch (...) {
        AVA_LOG(logger, kError, "api", "a streamed answer threw; closing it");
      }
      sink.done();
      return true;
    });
  } else {
    res.set_content(out.body, out.content_type);
  }

  if (metrics_ != nullptr) {
    const double seconds = std::chrono::duration<double>(clock_.Now() - start).count();
    metrics_
        ->GetHistogram("ava_api_request_seconds",
                       "avad API latency by route (streams: until the answer began)",
                       {{"method", route.method}, {"route", route.path}})
        .Observe(seconds);
    metrics_
        ->GetCounter(
            "ava_api_requests_total", "avad API requests by route and HTTP status",
            {{"method", route.method}, {"route", route.path}, {"status", std::to_string(out.status)}})
        .Inc();
  }
  AVA_LOG(logger_, kDebug, "api", "{} {} ({} route {}) → {}", req.method, req.path, AccessName(route.access),
          route.path, out.status);
}

}  // namespace ava::api
