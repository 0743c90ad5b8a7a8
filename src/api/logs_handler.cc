// /v1/jobs/{id}/logs: a job's output after a sequence number, as raw text or JSON lines; with
// follow=1 the answer stays open, streaming new chunks, until the job ends.
#include <fmt/format.h>

#include "api/handler_util.h"
#include "api/json_records.h"

namespace ava::api {
namespace {

// After a job ends, its agent may still be flushing the last output; wait this long for it.
constexpr std::chrono::milliseconds kTailGrace{500};
constexpr std::chrono::milliseconds kPollEvery{1000};

Response Logs(ApiContext& ctx, ApiRequest& req) {
  int64_t id = 0;
  std::string field;
  Status s = PathId(req, "id", &id, &field);
  if (!s.ok()) return Fail(s, field);
  int64_t after = 0;
  if (req.HasQuery("after_seq")) {
    const std::string text = req.Query("after_seq");
    bool ok = !text.empty() && text.size() <= 18;
    for (char c : text) ok &= std::isdigit(static_cast<unsigned char>(c)) != 0;
    if (!ok) return Fail(Status::InvalidArgument("after_seq must be a non-negative integer"), "after_seq");
    after = std::stoll(text);
  }
  const std::string follow_text = req.Query("follow");
  const bool follow = follow_text == "1" || follow_text == "true";
  Result<db::Job> job = ctx.plane.VisibleJob(req.caller, id);
  if (!job.ok()) return Fail(job.status());
  const bool ndjson = req.http.get_header_value("Accept").find("application/x-ndjson") != std::string::npos;

  Response r;
  r.content_type = ndjson ? "application/x-ndjson" : "text/plain; charset=utf-8";
  ApiContext* c = &ctx;
  r.stream = [c, id, after, follow, ndjson](const ChunkWriter& write) {
    int64_t seq = after;
    bool ended = false;
    bool tail_read = false;
    while (true) {
      Result<std::vector<db::LogChunk>> chunks = c->store.ReadLogs(id, seq, db::Page::kMaxLimit);
      if (!chunks.ok()) return;
      for (const db::LogChunk& ch : *chunks) {
        std::string out = ndjson ? DumpJson(Json{{"seq", ch.seq},
                                                 {"stream", std::string(db::Name(ch.stream))},
                                                 {"time", FormatTime(ch.time)},
                                                 {"data", ch.data}}) +
                                       "\n"
                                 : ch.data;
        if (!write(out)) return;
        seq = ch.seq;
      }
      if (static_cast<int>(chunks->size()) == db::Page::kMaxLimit) continue;
      if (!follow || tail_read || c->plane.shutting_down()) return;
      if (ended) {
        tail_read = true;
        continue;
      }
      Result<db::Job> now = c->store.GetJob(id);
      if (!now.ok()) return;
      if (db::IsTerminal(now->state)) {
        ended = true;
        c->plane.WaitForLogs(kTailGrace);
        continue;
      }
      c->plane.WaitForLogs(kPollEvery);
      if (!write("")) return;  // the client has gone
    }
  };
  return r;
}

}  // namespace

void RegisterLogRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/v1/jobs/{id}/logs", Access::kUser, [&ctx](ApiRequest& r) { return Logs(ctx, r); });
}

}  // namespace ava::api
