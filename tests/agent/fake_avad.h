// FakeAvad: the agent half of avad's API (docs/api.md, "Agents") on a loopback port, scripted by the
// test: it hands out queued assignments and kills in heartbeat answers and records everything the
// agent sends, in arrival order, so tests can check what avad would see.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/http_server.h"
#include "common/thread_annotations.h"

namespace ava::testing {

class FakeAvad {
 public:
  FakeAvad() {
    auto& s = http_.server();
    s.Post("/v1/agent/register", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      auth_ = req.get_header_value("Authorization");
      if (Refuse(&res)) return;
      registers_.push_back(nlohmann::json::parse(req.body));
      events_.push_back("register");
      res.set_content(
          nlohmann::json{{"heartbeat_interval_ms", 200}, {"node", registers_.back()["node"]}}.dump(),
          "application/json");
    });
    s.Post("/v1/agent/heartbeat", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      if (Refuse(&res)) return;
      if (forget_node_) {
        forget_node_ = false;
        res.status = 409;  // what avad answers a node it does not know
        res.set_content(
            R"({"error": {"code": "FailedPrecondition", "message": "node n1 is not registered; POST /v1/agent/register first"}})",
            "application/json");
        return;
      }
      nlohmann::json hb = nlohmann::json::parse(req.body);
      for (const auto& f : hb["finished"]) {
        finished_[f["job_id"].get<int64_t>()] = f;
        events_.push_back("finished:" + std::to_string(f["job_id"].get<int64_t>()));
      }
      for (const auto& r : hb["running"]) running_seen_[r["job_id"].get<int64_t>()] = r["pid"].get<int64_t>();
      heartbeats_.push_back(std::move(hb));
      nlohmann::json answer = {{"start", start_}, {"kill", kill_}};
      start_ = nlohmann::json::array();
      kill_ = nlohmann::json::array();
      res.set_content(answer.dump(), "application/json");
    });
    s.Post(R"(/v1/agent/jobs/(\d+)/logs)", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      if (Refuse(&res)) return;
      const int64_t id = std::stoll(req.matches[1]);
      const nlohmann::json body = nlohmann::json::parse(req.body);
      for (const auto& c : body["chunks"]) {
        logs_[id] += c["data"].get<std::string>();
        streams_[id] += c["stream"].get<std::string>() == "stdout" ? "o" : "e";
      }
      events_.push_back("logs:" + std::to_string(id));
      res.set_content("{}", "application/json");
    });
    port_ = http_.Start("127.0.0.1", 0).value_or(-1);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void Start(nlohmann::json assignment) {
    std::lock_guard<std::mutex> lock(mu_);
    start_.push_back(std::move(assignment));
  }
  void Kill(int64_t job, const std::string& reason) {
    std::lock_guard<std::mutex> lock(mu_);
    kill_.push_back({{"job_id", job}, {"reason", reason}});
  }
  // Every call answers `status` (0: normal service again).
  void SetDown(int status) {
    std::lock_guard<std::mutex> lock(mu_);
    down_status_ = status;
  }
  // The next heartbeat answers 409 "not registered", as an avad that lost its database.
  void ForgetNode() {
    std::lock_guard<std::mutex> lock(mu_);
    forget_node_ = true;
  }

  std::vector<nlohmann::json> registers() const {
    std::lock_guard<std::mutex> lock(mu_);
    return registers_;
  }
  std::vector<nlohmann::json> heartbeats() const {
    std::lock_guard<std::mutex> lock(mu_);
    return heartbeats_;
  }
  std::string logs(int64_t job) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = logs_.find(job);
    return it == logs_.end() ? "" : it->second;
  }
  bool finished(int64_t job, nlohmann::json* out = nullptr) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = finished_.find(job);
    if (it == finished_.end()) return false;
    if (out != nullptr) *out = it->second;
    return true;
  }
  int64_t running_pid(int64_t job) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = running_seen_.find(job);
    return it == running_seen_.end() ? 0 : it->second;
  }
  std::vector<std::string> events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  std::string auth() const {
    std::lock_guard<std::mutex> lock(mu_);
    return auth_;
  }

 private:
  bool Refuse(httplib::Response* res) REQUIRES(mu_) {
    if (down_status_ == 0) return false;
    res->status = down_status_;
    const char* code = down_status_ == 401   ? "Unauthenticated"
                       : down_status_ == 403 ? "PermissionDenied"
                                             : "Unavailable";
    res->set_content(nlohmann::json{{"error", {{"code", code}, {"message", "refused by the test"}}}}.dump(),
                     "application/json");
    return true;
  }

  int port_ = -1;
  mutable std::mutex mu_;
  nlohmann::json start_ GUARDED_BY(mu_) = nlohmann::json::array();
  nlohmann::json kill_ GUARDED_BY(mu_) = nlohmann::json::array();
  int down_status_ GUARDED_BY(mu_) = 0;
  bool forget_node_ GUARDED_BY(mu_) = false;
  std::string auth_ GUARDED_BY(mu_);
  std::vector<nlohmann::json> registers_ GUARDED_BY(mu_);
  std::vector<nlohmann::json> heartbeats_ GUARDED_BY(mu_);
  std::map<int64_t, std::string> logs_ GUARDED_BY(mu_);
  std::map<int64_t, std::string> streams_ GUARDED_BY(mu_);
  std::map<int64_t, nlohmann::json> finished_ GUARDED_BY(mu_);
  std::map<int64_t, int64_t> running_seen_ GUARDED_BY(mu_);
  std::vector<std::string> events_ GUARDED_BY(mu_);
  HttpServer http_;  // last: stopped (destroyed) before the state its handlers use
};

}  // namespace ava::testing
