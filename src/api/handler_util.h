// Helpers the REST handlers share: reading JSON bodies and their fields with errors that name the
// field, ids from paths, paging from the query, list answers, and the context every handler file
// registers its routes with.
//
// Errors: InvalidArgument, with *field set to the offending body field, path parameter or query
// parameter.
// Thread safety: free functions over values; ApiContext is shared read-only by handlers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/control_plane.h"
#include "api/response.h"
#include "api/router.h"
#include "common/result.h"
#include "db/store.h"

namespace ava::api {

// What a handler file needs; all references outlive the server.
struct ApiContext {
  db::Store& store;
  ControlPlane& plane;
  Clock& clock;
  Logger* logger;
  MetricsRegistry* metrics;
};

// The body as a JSON object. InvalidArgument (no field) when it is not one.
Status ParseJsonBody(const ApiRequest& req, Json* out);
// A string member; absent: `fallback` if given, else InvalidArgument naming `key` as missing.
Status JsonString(const Json& body, const std::string& key, std::optional<std::string> fallback,
                  std::string* out, std::string* field);
Status JsonBool(const Json& body, const std::string& key, bool fallback, bool* out, std::string* field);
Status JsonInt(const Json& body, const std::string& key, std::optional<int64_t> fallback, int64_t* out,
               std::string* field);
// A decimal id from the path parameter `name`.
Status PathId(const ApiRequest& req, const std::string& name, int64_t* out, std::string* field);
// ?after_id=N&limit=M (limit 1..1000, default 100).
Status PageFromQuery(const ApiRequest& req, db::Page* out, std::string* field);
// {"items": [...], "next_after_id": N|null}: N is the last id when the page was full.
Json ListJson(Json items, const db::Page& page, int64_t last_id);
// The error answer for a Status and the field it concerns.
inline Response Fail(const Status& s, const std::string& field = "") { return ErrorResponse(s, field); }
// Names people may have: [a-z0-9][a-z0-9._-]{0,63} (no agent: prefix, no surprises in URLs).
Status CheckPersonName(std::string_view what, std::string_view name);

// One function per handler file (one file per resource).
void RegisterUserRoutes(Router& router, ApiContext& ctx);
void RegisterGroupRoutes(Router& router, ApiContext& ctx);
void RegisterTokenRoutes(Router& router, ApiContext& ctx);
void RegisterNodeRoutes(Router& router, ApiContext& ctx);
void RegisterGpuRoutes(Router& router, ApiContext& ctx);
void RegisterQuotaRoutes(Router& router, ApiContext& ctx);
void RegisterJobRoutes(Router& router, ApiContext& ctx);
void RegisterWorkspaceRoutes(Router& router, ApiContext& ctx);
void RegisterEventRoutes(Router& router, ApiContext& ctx);
void RegisterLogRoutes(Router& router, ApiContext& ctx);
void RegisterQueueRoutes(Router& router, ApiContext& ctx);
void RegisterAgentRoutes(Router& router, ApiContext& ctx);
void RegisterSystemRoutes(Router& router, ApiContext& ctx);

// Shared by the job and workspace handlers: a job as JSON, names looked up.
Json JobJson(ApiContext& ctx, const db::Job& job, bool with_spec);

}  // namespace ava::api
