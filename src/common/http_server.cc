#include "common/http_server.h"

#include <fmt/format.h>

#include <chrono>

namespace ava {

HttpServer::HttpServer() : server_(std::make_unique<httplib::Server>()) {}

HttpServer::~HttpServer() { Stop(); }

Result<int> HttpServer::Start(const std::string& host, int port) {
  int bound = port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    return Status::Unavailable(
               fmt::format("cannot listen on {}:{} (in use, or not an address of this host)", host, port))
        .Retryable(false);
  }
  port_ = bound;
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return bound;
}

void HttpServer::Stop() {
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

Status ParseHostPort(const std::string& text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument(fmt::format("'{}' is not host:port (example: 127.0.0.1:9410)", text));
  }
  *host = text.substr(0, colon);
  std::string p = text.substr(colon + 1);
  char* end = nullptr;
  long v = std::strtol(p.c_str(), &end, 10);
  if (p.empty() || *end != '\0' || v < 0 || v > 65535 || host->empty()) {
    return Status::InvalidArgument(fmt::format("'{}' is not host:port with a port 0..65535", text));
  }
  *port = static_cast<int>(v);
  return Status::OK();
}

}  // namespace ava
