// HttpServer: a small HTTP server on its own threads (cpp-httplib), used for /metrics and for the
// control endpoints of the daemons. Handlers must not throw; httplib turns an escaped exception into
// a 500, but Ava handlers return errors as responses.
//
// Lifecycle: register handlers on server(), then Start(); Stop() (or the destructor) joins.
#pragma once

#include <httplib.h>

#include <memory>
#include <string>
#include <thread>

#include "common/result.h"

namespace ava {

class HttpServer {
 public:
  HttpServer();
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  httplib::Server& server() { return *server_; }
  // Binds host:port (port 0 picks a free one) and serves in a background thread. Returns the port.
  Result<int> Start(const std::string& host, int port);
  void Stop();
  int port() const { return port_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = -1;
};

// "host:port" → host and port; port must be 0..65535.
Status ParseHostPort(const std::string& text, std::string* host, int* port);

}  // namespace ava
