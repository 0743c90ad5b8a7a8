#include "cli/cli_context.h"

#include <fmt/format.h>

#include <chrono>
#include <ostream>
#include <thread>

namespace ava::cli {

std::unique_ptr<ApiClient> CliContext::Connect() {
  std::string server = server_flag.empty() ? env.Get("AVA_SERVER") : server_flag;
  std::string token = token_flag.empty() ? env.Get("AVA_TOKEN") : token_flag;
  const std::string path = ClientConfigPath(env);
  if (server.empty() || token.empty()) {
    Result<ClientConfig> saved = LoadClientConfig(path);
    if (saved.ok()) {
      if (server.empty()) server = saved->server;
      if (token.empty()) token = saved->token;
    } else if (!saved.status().IsNotFound()) {
      Fail(saved.status());
      return nullptr;
    }
  }
  if (server.empty() || token.empty()) {
    err << "ava: not logged in: run `ava login SERVER` (or set AVA_SERVER and AVA_TOKEN, or pass --server "
           "and --token)\n";
    return nullptr;
  }
  Result<std::unique_ptr<ApiClient>> client = ApiClient::Create(server, token);
  if (!client.ok()) {
    Fail(client.status());
    return nullptr;
  }
  return std::move(client).value();
}

int CliContext::Fail(const Status& status, const std::string& field) {
  err << "ava: " << status.message();
  if (!field.empty() && status.message().find(field) == std::string::npos) err << " (field: " << field << ")";
  err << "\n";
  return kExitError;
}

void CliContext::PrintJson(const nlohmann::json& value) {
  out << value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

int ExitCodeForJob(const nlohmann::json& job) {
  const std::string state = job.value("state", "");
  if (state == "succeeded") return kExitOk;
  if (state == "cancelled") return kExitJobCancelled;
  if (state == "lost") return kExitJobLost;
  if (state == "failed") {
    const nlohmann::json code = job.value("exit_code", nlohmann::json());
    if (code.is_number_integer()) {
      const int64_t c = code.get<int64_t>();
      if (c >= 1 && c <= 255) return static_cast<int>(c);
    }
    return kExitJobKilled;
  }
  return kExitError;
}

Result<nlohmann::json> FollowJob(CliContext& ctx, ApiClient& client, int64_t id, int64_t after_seq) {
  int64_t seq = after_seq;
  std::string pending;  // a partial JSON line between chunks
  for (int attempt = 0;; ++attempt) {
    const std::string path = fmt::format("/v1/jobs/{}/logs?follow=1&after_seq={}", id, seq);
    Status s = client.Stream(path, "application/x-ndjson", [&](std::string_view data) {
      pending.append(data);
      size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        const std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        nlohmann::json chunk = nlohmann::json::parse(line, nullptr, false);
        if (!chunk.is_object()) continue;
        seq = chunk.value("seq", seq);
        const std::string text = chunk.value("data", "");
        (chunk.value("stream", "stdout") == "stderr" ? ctx.err : ctx.out) << text << std::flush;
      }
      return true;
    });
    pending.clear();
    AVA_ASSIGN_OR_RETURN(nlohmann::json job, client.Get(fmt::format("/v1/jobs/{}", id)));
    const std::string state = job.value("state", "");
    const bool ended = state == "succeeded" || state == "failed" || state == "cancelled" || state == "lost";
    if (ended) return job;
    // The stream ended while the job runs (avad restarted, a proxy timed out): pick up where it was.
    if (attempt >= 10) {
      return s.ok() ? Status::Unavailable(fmt::format("the log stream of job {} keeps ending early", id)) : s;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

}  // namespace ava::cli
