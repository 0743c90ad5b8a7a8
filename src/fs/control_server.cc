#include "fs/control_server.h"

#include <fmt/format.h>

#include <atomic>
#include <map>

namespace ava::fs {

namespace {

nlohmann::json TierJson(const cache::TierStats& t) {
  return {{"enabled", t.enabled},
          {"capacity_bytes", t.capacity_bytes},
          {"used_bytes", t.used_bytes},
          {"blocks", t.blocks},
          {"hits", t.hits},
          {"misses", t.misses},
          {"hit_bytes", t.hit_bytes},
          {"inserts", t.inserts},
          {"insert_bytes", t.insert_bytes},
          {"evictions", t.evictions},
          {"evicted_bytes", t.evicted_bytes},
          {"corrupt_blocks", t.corrupt_blocks}};
}

// "name{a=\"x\",b=\"y\"}" → value of label `label`, or "".
std::string LabelValue(const std::string& series, const std::string& label) {
  std::string needle = label + "=\"";
  size_t at = series.find(needle);
  if (at == std::string::npos) return "";
  at += needle.size();
  size_t end = series.find('"', at);
  return series.substr(at, end - at);
}

bool HasName(const std::string& series, std::string_view name) {
  return series.compare(0, name.size(), name) == 0 &&
         (series.size() == name.size() || series[name.size()] == '{');
}

}  // namespace

nlohmann::json WarmProgressJson(const WarmProgress& p) {
  return {{"listing_done", p.listing_done},
          {"files_total", p.files_total},
          {"files_done", p.files_done},
          {"bytes_total", p.bytes_total},
          {"bytes_done", p.bytes_done},
          {"bytes_fetched", p.bytes_fetched},
          {"errors", p.errors},
          {"first_error", p.first_error},
          {"elapsed_ns", p.elapsed.count()}};
}

WarmProgress WarmProgressFromJson(const nlohmann::json& j) {
  WarmProgress p;
  p.listing_done = j.value("listing_done", false);
  p.files_total = j.value("files_total", 0ull);
  p.files_done = j.value("files_done", 0ull);
  p.bytes_total = j.value("bytes_total", 0ull);
  p.bytes_done = j.value("bytes_done", 0ull);
  p.bytes_fetched = j.value("bytes_fetched", 0ull);
  p.errors = j.value("errors", 0ull);
  p.first_error = j.value("first_error", std::string());
  p.elapsed = Nanos(j.value("elapsed_ns", int64_t{0}));
  return p;
}

ControlServer::ControlServer(FileSystem* fs, Warmer* warmer, cache::TieredCache* cache, MemoryBudget* budget,
                             MetricsRegistry* metrics, Logger* logger)
    : fs_(fs), warmer_(warmer), cache_(cache), budget_(budget), metrics_(metrics), logger_(logger) {
  RegisterHandlers();
}

Result<std::string> ControlServer::Start(const std::string& address) {
  std::string host;
  int port = 0;
  AVA_RETURN_IF_ERROR(ParseHostPort(address, &host, &port));
  AVA_ASSIGN_OR_RETURN(int bound, http_.Start(host, port));
  return fmt::format("{}:{}", host, bound);
}

nlohmann::json ControlServer::StatsJson() const {
  cache::CacheStats cs = cache_->Stats();
  nlohmann::json out;
  out["cache"] = {{"ram", TierJson(cs.ram)}, {"ssd", TierJson(cs.ssd)}};
  uint64_t buffers = budget_->used();
  out["memory"] = {{"fetch_buffers_bytes", buffers},
                   {"fetch_buffers_limit_bytes", budget_->limit()},
                   {"fetch_buffers_peak_bytes", budget_->peak()},
                   {"ram_tier_bytes", cs.ram.used_bytes},
                   {"total_bytes", buffers + cs.ram.used_bytes},
                   {"limit_bytes", budget_->limit() + cs.ram.capacity_bytes}};
  // Backend and FUSE figures come from the metrics every layer records, summed over stores.
  std::map<std::string, std::map<std::string, double>> backend, fuse;
  std::map<std::string, double> m = ParsePrometheusText(metrics_->RenderPrometheus());
  for (const auto& [series, value] : m) {
    if (HasName(series, "avafs_backend_requests_total")) {
      backend["requests"][LabelValue(series, "op")] += value;
    } else if (HasName(series, "avafs_backend_errors_total")) {
      backend["errors"][LabelValue(series, "op")] += value;
    } else if (HasName(series, "avafs_backend_bytes_total")) {
      backend["bytes"][LabelValue(series, "direction")] += value;
    } else if (HasName(series, "avafs_backend_request_seconds_sum")) {
      backend["seconds"][LabelValue(series, "op")] += value;
    } else if (HasName(series, "avafs_fuse_op_seconds_count") && value > 0) {
      fuse["requests"][LabelValue(series, "op")] = value;
    } else if (HasName(series, "avafs_fuse_op_seconds_sum") && value > 0) {
      fuse["seconds"][LabelValue(series, "op")] = value;
    } else if (HasName(series, "avafs_fuse_errors_total") && value > 0) {
      fuse["errors"][LabelValue(series, "op")] = value;
    } else if (HasName(series, "avafs_metadata_cache_hits_total")) {
      out["metadata"]["hits"] = value;
    } else if (HasName(series, "avafs_metadata_cache_misses_total")) {
      out["metadata"]["misses"] = value;
    } else if (HasName(series, "avafs_fetch_requests_total")) {
      out["read"]["fetch_requests"] = value;
    } else if (HasName(series, "avafs_prefetch_blocks_total")) {
      out["read"]["prefetched_blocks"] = value;
    } else if (HasName(series, "avafs_read_bytes_total")) {
      out["read"]["bytes_returned"] = value;
    }
  }
  out["backend"] = backend.empty() ? nlohmann::json::object() : nlohmann::json(backend);
  out["fuse"] = fuse.empty() ? nlohmann::json::object() : nlohmann::json(fuse);
  out["inodes"] = fs_->InodeCount();
  nlohmann::json writable = nlohmann::json::object();
  for (const auto& m : fs_->mounts()) {
    if (m.writeback == nullptr) continue;
    WritebackStats w = m.writeback->Stats();
    writable[m.name] = {{"queue_length", w.queue_length},
                        {"dirty_bytes", w.dirty_bytes},
                        {"staged_bytes", w.staged_bytes},
                        {"staging_memory_bytes", w.staging_memory_bytes},
                        {"oldest_pending_seconds", w.oldest_pending_seconds},
                        {"durable_used_bytes", w.durable_used_bytes},
                        {"durable_capacity_bytes", w.durable_capacity_bytes},
                        {"uploaded_bytes", w.uploaded_bytes},
                        {"upload_errors", w.upload_errors},
                        {"evictions", w.evictions},
                        {"cloud", m.writeback->has_cloud()}};
  }
  out["writeback"] = writable;
  return out;
}

void ControlServer::RegisterHandlers() {
  auto& s = http_.server();
  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_->RenderPrometheus(), "text/plain; version=0.0.4");
  });
  s.Get("/stats", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(StatsJson().dump(2), "application/json");
  });
  s.Post("/flush", [this](const httplib::Request& req, httplib::Response& res) {
    nlohmann::json body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object() || !body.contains("path") || !body["path"].is_string()) {
      res.status = 400;
      res.set_content(
          R"({"error":{"code":"InvalidArgument","message":"body must be {\"path\": \"/mount/dir\"}"}})",
          "application/json");
      return;
    }
    Nanos timeout =
        std::chrono::seconds(std::clamp<int64_t>(body.value("timeout_seconds", int64_t{600}), 1, 86400));
    Status s = fs_->FlushUploads(body["path"].get<std::string>(), timeout);
    nlohmann::json out = {{"ok", s.ok()}};
    if (!s.ok()) {
      out["error"] = {{"code", std::string(CodeName(s.code()))}, {"message", s.message()}};
      res.status = s.code() == Code::kDeadlineExceeded ? 504 : s.IsNotFound() ? 404 : 500;
    }
    res.set_content(out.dump(), "application/json");
  });
  s.Post("/warm", [this](const httplib::Request& req, httplib::Response& res) {
    nlohmann::json body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object() || !body.contains("paths") || !body["paths"].is_array()) {
      res.status = 400;
      res.set_content(R"({"error":{"code":"InvalidArgument","message":"body must be {\"paths\": [...]}"}})",
                      "application/json");
      return;
    }
    std::vector<std::string> paths;
    for (const auto& p : body["paths"]) {
      if (p.is_string()) paths.push_back(p.get<std::string>());
    }
    WarmOptions options;
    options.metadata_only = body.value("metadata_only", false);
    options.parallel = std::clamp(body.value("parallel", 16), 1, 256);
    res.set_chunked_content_provider(
        "application/x-ndjson", [this, paths, options](size_t, httplib::DataSink& sink) {
          std::atomic<bool> cancel{false};
          auto send = [&](const nlohmann::json& j) {
            std::string line = j.dump() + "\n";
            if (!sink.write(line.data(), line.size())) cancel = true;
          };
          AVA_LOG(logger_, kInfo, "warm", "warming {} path(s){}", paths.size(),
                  options.metadata_only ? " (metadata only)" : "");
          Result<WarmProgress> done = warmer_->Run(
              paths, options, [&](const WarmProgress& p) { send(WarmProgressJson(p)); }, &cancel);
          nlohmann::json last = done.ok() ? WarmProgressJson(*done) : nlohmann::json::object();
          last["done"] = true;
          if (!done.ok()) last["error"] = done.status().ToString();
          send(last);
          sink.done();
          return true;
        });
  });
}

}  // namespace ava::fs
