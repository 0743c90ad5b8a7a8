#include "api/handler_util.h"

#include <fmt/format.h>

#include <cctype>

#include "api/job_spec.h"
#include "api/json_records.h"

namespace ava::api {

Status ParseJsonBody(const ApiRequest& req, Json* out) {
  if (req.http.body.size() > kMaxSpecBytes) {
    return Status::InvalidArgument(fmt::format("the body is larger than {} bytes", kMaxSpecBytes));
  }
  AVA_RETURN_IF_ERROR(CheckNesting(req.http.body));
  try {
    *out = Json::parse(req.http.body);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(fmt::format("the body is not JSON: {}", e.what()));
  }
  if (!out->is_object()) return Status::InvalidArgument("the body must be a JSON object");
  return Status::OK();
}

Status JsonString(const Json& body, const std::string& key, std::optional<std::string> fallback,
                  std::string* out, std::string* field) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    if (fallback) {
      *out = std::move(*fallback);
      return Status::OK();
    }
    *field = key;
    return Status::InvalidArgument(fmt::format("'{}' is required", key));
  }
  if (!it->is_string()) {
    *field = key;
    return Status::InvalidArgument(fmt::format("'{}' must be a string", key));
  }
  *out = it->get<std::string>();
  return Status::OK();
}

Status JsonBool(const Json& body, const std::string& key, bool fallback, bool* out, std::string* field) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    *out = fallback;
    return Status::OK();
  }
  if (!it->is_boolean()) {
    *field = key;
    return Status::InvalidArgument(fmt::format("'{}' must be true or false", key));
  }
  *out = it->get<bool>();
  return Status::OK();
}

Status JsonInt(const Json& body, const std::string& key, std::optional<int64_t> fallback, int64_t* out,
               std::string* field) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    if (fallback) {
      *out = *fallback;
      return Status::OK();
    }
    *field = key;
    return Status::InvalidArgument(fmt::format("'{}' is required", key));
  }
  if (!it->is_number_integer()) {
    *field = key;
    return Status::InvalidArgument(fmt::format("'{}' must be an integer", key));
  }
  *out = it->get<int64_t>();
  return Status::OK();
}

Status PathId(const ApiRequest& req, const std::string& name, int64_t* out, std::string* field) {
  auto it = req.params.find(name);
  const std::string text = it == req.params.end() ? std::string() : it->second;
  bool ok = !text.empty() && text.size() <= 18;
  for (char c : text) ok &= std::isdigit(static_cast<unsigned char>(c)) != 0;
  if (!ok) {
    *field = name;
    return Status::InvalidArgument(fmt::format("'{}' is not an id (a positive integer)", text));
  }
  *out = std::stoll(text);
  return Status::OK();
}

Status PageFromQuery(const ApiRequest& req, db::Page* out, std::string* field) {
  auto number = [&](const std::string& key, int64_t lo, int64_t hi, int64_t* v) -> Status {
    if (!req.HasQuery(key)) return Status::OK();
    const std::string text = req.Query(key);
    bool ok = !text.empty() && text.size() <= 18;
    for (char c : text) ok &= std::isdigit(static_cast<unsigned char>(c)) != 0;
    if (!ok || std::stoll(text) < lo || std::stoll(text) > hi) {
      *field = key;
      return Status::InvalidArgument(
          fmt::format("{} must be an integer {}..{} (got '{}')", key, lo, hi, text));
    }
    *v = std::stoll(text);
    return Status::OK();
  };
  int64_t after = 0, limit = 100;
  AVA_RETURN_IF_ERROR(number("after_id", 0, INT64_MAX / 2, &after));
  AVA_RETURN_IF_ERROR(number("limit", 1, db::Page::kMaxLimit, &limit));
  out->after_id = after;
  out->limit = static_cast<int>(limit);
  return Status::OK();
}

Json ListJson(Json items, const db::Page& page, int64_t last_id) {
  const bool full = items.is_array() && static_cast<int>(items.size()) >= page.limit;
  return Json{{"items", std::move(items)}, {"next_after_id", full ? Json(last_id) : Json(nullptr)}};
}

Status CheckPersonName(std::string_view what, std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64 &&
            (std::islower(static_cast<unsigned char>(name[0])) ||
             std::isdigit(static_cast<unsigned char>(name[0])));
  for (char c : name) {
    ok &= std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '.' || c == '_' || c == '-';
  }
  if (!ok) {
    return Status::InvalidArgument(
        fmt::format("{} name '{}' must be 1..64 characters of a-z, 0-9, '.', '_' and '-', starting with a "
                    "letter or digit",
                    what, name));
  }
  return Status::OK();
}

Json JobJson(ApiContext& ctx, const db::Job& job, bool with_spec) {
  std::vector<std::string> nodes;
  for (int64_t id : job.node_ids) nodes.push_back(ctx.plane.NodeName(id));
  Json spec;
  if (with_spec) spec = ctx.plane.NormalisedSpec(job);
  return JobToJson(job, ctx.plane.UserName(job.owner_id), ctx.plane.GroupName(job.group_id), nodes,
                   with_spec ? &spec : nullptr);
}

}  // namespace ava::api
