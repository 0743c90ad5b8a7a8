// CurlTransport: HttpTransport over libcurl easy handles. Handles are pooled and reused, so each
// keeps its connection alive across requests (no TCP/TLS handshake per GET); at most
// `max_idle_handles` idle handles are kept. Bodies are received into one string reserved from
// Content-Length (no second copy) and sent from the caller's buffer without copying.
//
// Timeouts: `connect_timeout` bounds connection set-up; `stall_timeout` aborts a transfer that
// moves less than 1 byte/s for that long (curl's low-speed limit), so a multi-GiB transfer never
// times out while it makes progress, but a dead server is noticed.
//
// Errors: see http_transport.h. TLS certificate problems are FailedPrecondition (retrying does
// not help); all other transport failures are Unavailable and retryable.
// Thread safety: Send may be called from many threads at once; each call uses its own handle.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/thread_annotations.h"
#include "store/http_transport.h"

namespace ava::store {

struct CurlTransportOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::seconds stall_timeout{30};
  size_t max_idle_handles = 64;
  bool verify_tls = true;
  std::string user_agent = "ava-store/1";
};

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlTransportOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  struct Handle;
  std::unique_ptr<Handle> Acquire();
  void Release(std::unique_ptr<Handle> handle);

  const CurlTransportOptions options_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Handle>> idle_ GUARDED_BY(mu_);
};

}  // namespace ava::store
