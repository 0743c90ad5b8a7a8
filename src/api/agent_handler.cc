// /v1/agent/…: the node agents' side of avad (docs/api.md, "Agents"). An agent token speaks for
// one node; a body naming another node is refused.
#include <fmt/format.h>

#include "api/handler_util.h"
#include "api/json_records.h"

namespace ava::api {
namespace {

Status CheckNode(const ApiRequest& req, const std::string& node) {
  if (node != req.caller.agent_node()) {
    return Status::PermissionDenied(
        fmt::format("this token belongs to the agent of node '{}', not '{}'", req.caller.agent_node(), node));
  }
  return Status::OK();
}

Response Register(ApiContext& ctx, ApiRequest& req) {
  Json body;
  std::string field, node, address, version;
  Status s = ParseJsonBody(req, &body);
  if (!s.ok()) return Fail(s);
  if (!(s = JsonString(body, "node", std::nullopt, &node, &field)).ok()) return Fail(s, field);
  if (!(s = CheckNode(req, node)).ok()) return Fail(s, "node");
  if (!(s = JsonString(body, "address", std::string(), &address, &field)).ok()) return Fail(s, field);
  if (!(s = JsonString(body, "agent_version", std::string(), &version, &field)).ok()) return Fail(s, field);
  auto inv = body.find("inventory");
  if (inv == body.end() || !inv->is_object()) {
    return Fail(Status::InvalidArgument("'inventory' must be the node's inventory as a JSON object"),
                "inventory");
  }
  Result<db::Node> registered = ctx.plane.Register(node, address, DumpJson(*inv));
  if (!registered.ok()) {
    return Fail(registered.status(), registered.status().IsInvalidArgument() ? "inventory" : "");
  }
  AVA_LOG(ctx.logger, kDebug, "agents", "agent {} version {} registered", node, version);
  const int64_t interval_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(ctx.plane.options().heartbeat_interval).count();
  return JsonResponse(Json{{"heartbeat_interval_ms", interval_ms}, {"node", registered->name}});
}

Status ParseReport(const Json& body, HeartbeatReport* report, std::string* field) {
  auto list = [&](const char* key, const Json** out) -> Status {
    auto it = body.find(key);
    *out = nullptr;
    if (it == body.end() || it->is_null()) return Status::OK();
    if (!it->is_array()) {
      *field = key;
      return Status::InvalidArgument(fmt::format("'{}' must be a list", key));
    }
    *out = &*it;
    return Status::OK();
  };
  const Json* running = nullptr;
  const Json* finished = nullptr;
  AVA_RETURN_IF_ERROR(list("running", &running));
  AVA_RETURN_IF_ERROR(list("finished", &finished));
  for (size_t i = 0; running != nullptr && i < running->size(); ++i) {
    const Json& e = (*running)[i];
    const std::string at = fmt::format("running[{}]", i);
    if (!e.is_object()) {
      *field = at;
      return Status::InvalidArgument(fmt::format("{} must be an object", at));
    }
    AgentRunning r;
    int64_t member = -1;
    std::string f, activity;
    Status s = JsonInt(e, "job_id", std::nullopt, &r.job_id, &f);
    if (s.ok()) s = JsonInt(e, "pid", int64_t{0}, &r.pid, &f);
    if (s.ok()) s = JsonString(e, "state", std::string("running"), &r.state, &f);
    if (s.ok()) s = JsonInt(e, "member", int64_t{-1}, &member, &f);
    if (s.ok()) s = JsonString(e, "last_activity", std::string(), &activity, &f);
    if (s.ok() && !activity.empty()) {
      Result<Nanos> t = ParseTime(activity);
      if (!t.ok()) {
        s = t.status();
        f = "last_activity";
      } else {
        r.last_activity = *t;
      }
    }
    if (!s.ok()) {
      *field = at + "." + f;
      return s;
    }
    r.member = static_cast<int>(member);
    report->running.push_back(std::move(r));
  }
  for (size_t i = 0; finished != nullptr && i < finished->size(); ++i) {
    const Json& e = (*finished)[i];
    const std::string at = fmt::format("finished[{}]", i);
    if (!e.is_object()) {
      *field = at;
      return Status::InvalidArgument(fmt::format("{} must be an object", at));
    }
    AgentFinished d;
    int64_t member = -1;
    std::string f;
    Status s = JsonInt(e, "job_id", std::nullopt, &d.job_id, &f);
    if (s.ok()) s = JsonInt(e, "member", int64_t{-1}, &member, &f);
    if (s.ok()) s = JsonString(e, "error", std::string(), &d.error, &f);
    for (const char* key : {"exit_code", "signal"}) {
      if (!s.ok()) break;
      auto it = e.find(key);
      if (it == e.end() || it->is_null()) continue;
      if (!it->is_number_integer()) {
        f = key;
        s = Status::InvalidArgument(fmt::format("'{}' must be an integer or null", key));
        break;
      }
      (std::string_view(key) == "exit_code" ? d.exit_code : d.signal) = it->get<int64_t>();
    }
    if (s.ok()) {
      auto rep = e.find("report");
      if (rep != e.end() && !rep->is_null()) {
        if (!rep->is_object() && !rep->is_array()) {
          f = "report";
          s = Status::InvalidArgument("'report' must be a JSON object or null");
        } else {
          d.report_json = DumpJson(*rep);
        }
      }
    }
    if (!s.ok()) {
      *field = at + "." + f;
      return s;
    }
    d.member = static_cast<int>(member);
    report->finished.push_back(std::move(d));
  }
  return Status::OK();
}

Response Heartbeat(ApiContext& ctx, ApiRequest& req) {
  Json body;
  std::string field, node;
  Status s = ParseJsonBody(req, &body);
  if (!s.ok()) return Fail(s);
  if (!(s = JsonString(body, "node", std::nullopt, &node, &field)).ok()) return Fail(s, field);
  if (!(s = CheckNode(req, node)).ok()) return Fail(s, "node");
  HeartbeatReport report;
  if (!(s = ParseReport(body, &report, &field)).ok()) return Fail(s, field);
  Result<HeartbeatReply> reply = ctx.plane.Heartbeat(node, report);
  if (!reply.ok()) return Fail(reply.status());
  Json start = Json::array();
  for (const StartOrder& o : reply->start) {
    Json env = Json::object();
    for (const auto& [k, v] : o.env) env[k] = v;
    start.push_back({{"job_id", o.job_id},
                     {"spec", o.spec},
                     {"gpus", o.member.gpus},
                     {"gpu_milli", o.member.gpu_milli},
                     {"visible_devices", o.member.VisibleDevices()},
                     {"member", o.member.rank},
                     {"gang_size", o.gang_size},
                     {"env", std::move(env)}});
  }
  Json kill = Json::array();
  for (const KillOrder& k : reply->kill) kill.push_back({{"job_id", k.job_id}, {"reason", k.reason}});
  return JsonResponse(Json{{"start", std::move(start)}, {"kill", std::move(kill)}});
}

Response Logs(ApiContext& ctx, ApiRequest& req) {
  int64_t id = 0;
  std::string field;
  Status s = PathId(req, "id", &id, &field);
  if (!s.ok()) return Fail(s, field);
  Json body;
  if (!(s = ParseJsonBody(req, &body)).ok()) return Fail(s);
  auto chunks = body.find("chunks");
  if (chunks == body.end() || !chunks->is_array()) {
    return Fail(Status::InvalidArgument("'chunks' must be a list of {stream, time, data}"), "chunks");
  }
  std::vector<LogChunkIn> in;
  for (size_t i = 0; i < chunks->size(); ++i) {
    const Json& c = (*chunks)[i];
    const std::string at = fmt::format("chunks[{}]", i);
    if (!c.is_object()) return Fail(Status::InvalidArgument(fmt::format("{} must be an object", at)), at);
    std::string stream, data, f;
    if (!(s = JsonString(c, "stream", std::string("stdout"), &stream, &f)).ok()) return Fail(s, at + "." + f);
    if (!(s = JsonString(c, "data", std::nullopt, &data, &f)).ok()) return Fail(s, at + "." + f);
    Result<db::LogStream> st = db::ParseLogStream(stream);
    if (!st.ok()) return Fail(st.status(), at + ".stream");
    in.push_back(LogChunkIn{*st, std::move(data)});
  }
  s = ctx.plane.AppendLogs(req.caller.agent_node(), id, in);
  if (!s.ok()) return Fail(s);
  return JsonResponse(Json{{"appended", in.size()}});
}

}  // namespace

void RegisterAgentRoutes(Router& router, ApiContext& ctx) {
  router.Add("POST", "/v1/agent/register", Access::kAgent,
             [&ctx](ApiRequest& r) { return Register(ctx, r); });
  router.Add("POST", "/v1/agent/heartbeat", Access::kAgent,
             [&ctx](ApiRequest& r) { return Heartbeat(ctx, r); });
  router.Add("POST", "/v1/agent/jobs/{id}/logs", Access::kAgent,
             [&ctx](ApiRequest& r) { return Logs(ctx, r); });
}

}  // namespace ava::api
