#include "api/response.h"

#include "api/http_status.h"

namespace ava::api {

std::string DumpJson(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

Response JsonResponse(const Json& value, int status) {
  Response r;
  r.status = status;
  r.body = DumpJson(value);
  r.body += '\n';
  return r;
}

Response TextResponse(std::string text, std::string content_type) {
  Response r;
  r.content_type = std::move(content_type);
  r.body = std::move(text);
  return r;
}

Json ErrorJson(const Status& status, std::string_view field) {
  Json error = {{"code", std::string(CodeName(status.code()))}, {"message", status.message()}};
  if (!field.empty()) error["field"] = std::string(field);
  return Json{{"error", std::move(error)}};
}

Response ErrorResponse(const Status& status, std::string_view field) {
  return JsonResponse(ErrorJson(status, field), HttpStatusFor(status.code()));
}

}  // namespace ava::api
