// Response: what an avad handler answers — a status, a content type and a body, or a stream for
// answers that stay open (`GET /v1/jobs/{id}/logs?follow=1`). Helpers build the JSON answers and
// the one error shape of docs/api.md:
//
//   {"error": {"code": "InvalidArgument", "message": "...", "field": "resources.gpus"}}
//
// The HTTP status of an error comes from HttpStatusFor (http_status.h) and nowhere else.
//
// Thread safety: plain values.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ava::api {

using Json = nlohmann::json;

// Writes one chunk of a streamed answer; false when the client has gone.
using ChunkWriter = std::function<bool(std::string_view chunk)>;
// Produces a streamed answer by calling the writer until it is done; must not throw.
using StreamProducer = std::function<void(const ChunkWriter& write)>;

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  StreamProducer stream;  // when set, body is ignored and the answer is sent chunked
};

// `value` serialised; invalid UTF-8 in strings is replaced, never thrown on.
Response JsonResponse(const Json& value, int status = 200);
Response TextResponse(std::string text, std::string content_type = "text/plain; charset=utf-8");
// The error shape above; `field` is left out when empty. REQUIRES: !status.ok().
Response ErrorResponse(const Status& status, std::string_view field = "");
// The error body alone (for the router's own 404s and for tests).
Json ErrorJson(const Status& status, std::string_view field = "");

// nlohmann::json::dump that never throws on invalid UTF-8.
std::string DumpJson(const Json& value);

}  // namespace ava::api
