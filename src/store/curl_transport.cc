#include "store/curl_transport.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cctype>
#include <cstring>

namespace ava::store {
namespace {

// libcurl needs one process-wide initialisation before handles are made on several threads; a
// function-local static runs it exactly once, thread-safely.
void InitCurlOnce() {
  static const CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)init;
}

// What the curl callbacks fill in.
struct Receiver {
  HttpResponse* response;
  bool expect_body;  // false for HEAD: its Content-Length describes a body that never comes
};

size_t OnBody(char* data, size_t size, size_t count, void* userdata) {
  auto* rx = static_cast<Receiver*>(userdata);
  rx->response->body.append(data, size * count);
  return size * count;
}

size_t OnHeader(char* data, size_t size, size_t count, void* userdata) {
  auto* rx = static_cast<Receiver*>(userdata);
  HttpResponse* response = rx->response;
  std::string_view line(data, size * count);
  // A new status line (after "100 Continue"): forget the previous response's headers.
  if (line.starts_with("HTTP/")) {
    response->headers.clear();
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  if (name == "content-length" && rx->expect_body) {
    // Reserve once so the body is received without reallocating; capped in case of a bogus value.
    uint64_t n = std::strtoull(std::string(value).c_str(), nullptr, 10);
    response->body.reserve(std::min<uint64_t>(n, uint64_t{1} << 30));
  }
  response->headers.emplace_back(std::move(name), std::string(value));
  return size * count;
}

// "http://host:port" from a URL.
std::string_view EndpointOf(std::string_view url) {
  size_t scheme = url.find("://");
  size_t slash = url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  return url.substr(0, slash);
}

Status TransportError(CURLcode code, CURL* curl, const char* errbuf, std::string_view url) {
  std::string reason;
  if (code == CURLE_COULDNT_CONNECT) {
    long os_errno = 0;
    curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
    if (os_errno != 0) {
      reason = std::strerror(static_cast<int>(os_errno));
      if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
    }
  }
  if (reason.empty()) reason = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code);
  std::string msg = fmt::format("cannot reach {}: {}", EndpointOf(url), reason);
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return Status::FailedPrecondition(std::move(msg));
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Status::InvalidArgument(std::move(msg));
    default:
      return Status::Unavailable(std::move(msg));
  }
}

}  // namespace

struct CurlTransport::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

CurlTransport::CurlTransport(CurlTransportOptions options) : options_(std::move(options)) { InitCurlOnce(); }

CurlTransport::~CurlTransport() = default;

std::unique_ptr<CurlTransport::Handle> CurlTransport::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Handle> h = std::move(idle_.back());
      idle_.pop_back();
      return h;
    }
  }
  auto h = std::make_unique<Handle>();
  h->curl = curl_easy_init();
  return h;
}

void CurlTransport::Release(std::unique_ptr<Handle> handle) {
  std::lock_guard lock(mu_);
  if (idle_.size() < options_.max_idle_handles) idle_.push_back(std::move(handle));
}

Result<HttpResponse> CurlTransport::Send(const HttpRequest& request) {
  std::unique_ptr<Handle> handle = Acquire();
  CURL* c = handle->curl;
  if (c == nullptr) return Status::ResourceExhausted("curl_easy_init failed");
  // Reset clears the options of the previous request but keeps its live connection.
  curl_easy_reset(c);

  HttpResponse response;
  Receiver rx{&response, request.method != "HEAD"};
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.stall_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
  if (!options_.verify_tls) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &rx);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &rx);

  bool has_content_type = false;
  struct curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    if (strcasecmp(name.c_str(), "content-type") == 0) has_content_type = true;
    // "Name;" is curl's way to send a header with an empty value ("Name:" would remove it).
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    headers = curl_slist_append(headers, line.c_str());
  }
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip before bodies

  if (request.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (request.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    // Fewer, larger write callbacks for the 1–8 MiB ranged GETs of the read path. Only for GETs:
    // curl allocates this buffer for every transfer, and at 512 KiB (above the daemon's mmap
    // threshold) that is an mmap, page faults and an munmap per request, which a small PUT or a
    // HEAD does not need.
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "PUT" || request.method == "POST") {
      // POSTFIELDS sends the caller's buffer as it is, without copying it.
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.empty() ? "" : request.body.data());
      if (!has_content_type) headers = curl_slist_append(headers, "Content-Type: binary/octet-stream");
    }
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

  CURLcode code = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) {
    Status s = TransportError(code, c, errbuf, request.url);
    Release(std::move(handle));
    return s;
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  Release(std::move(handle));
  return response;
}

}  // namespace ava::store
