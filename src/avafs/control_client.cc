#include "avafs/control_client.h"

#include <fmt/format.h>
#include <httplib.h>
#include <sys/xattr.h>

#include <cerrno>

#include "common/http_server.h"

namespace ava::avafs {

namespace {

Result<std::string> ReadXattr(const std::string& path, const char* name) {
  char buf[4096];
  ssize_t n = ::getxattr(path.c_str(), name, buf, sizeof(buf));
  if (n < 0) {
    if (errno == ENODATA || errno == ENOTSUP) {
      return Status::InvalidArgument(fmt::format("{} is not inside an avafs mount", path));
    }
    return Status::FromErrno(errno, path);
  }
  return std::string(buf, static_cast<size_t>(n));
}

Result<httplib::Client> Connect(const std::string& control) {
  std::string host;
  int port = 0;
  AVA_RETURN_IF_ERROR(ParseHostPort(control, &host, &port));
  httplib::Client cli(host, port);
  cli.set_connection_timeout(5);
  cli.set_read_timeout(24 * 3600);  // a warm-up of a large dataset streams for a long time
  return cli;
}

Status HttpFailure(const std::string& control, const std::string& url_path, const httplib::Result& r) {
  if (!r) {
    return Status::Unavailable(fmt::format("avafs daemon at {} does not answer {} ({})", control, url_path,
                                           httplib::to_string(r.error())));
  }
  return Status::Internal(
      fmt::format("avafs daemon at {} answered {} with HTTP {}: {}", control, url_path, r->status, r->body));
}

}  // namespace

Result<MountedPath> LocateInMount(const std::string& path) {
  MountedPath out;
  AVA_ASSIGN_OR_RETURN(out.control, ReadXattr(path, "user.avafs.control"));
  AVA_ASSIGN_OR_RETURN(out.tree_path, ReadXattr(path, "user.avafs.path"));
  if (out.control.empty())
    return Status::Unavailable(fmt::format("the avafs mount of {} has no control endpoint", path));
  return out;
}

Result<std::string> GetText(const std::string& control, const std::string& url_path) {
  AVA_ASSIGN_OR_RETURN(httplib::Client cli, Connect(control));
  httplib::Result r = cli.Get(url_path.c_str());
  if (!r || r->status != 200) return HttpFailure(control, url_path, r);
  return r->body;
}

Result<nlohmann::json> GetJson(const std::string& control, const std::string& url_path) {
  AVA_ASSIGN_OR_RETURN(std::string text, GetText(control, url_path));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return Status::Internal(fmt::format("{} sent invalid JSON for {}", control, url_path));
  return j;
}

Result<nlohmann::json> PostJson(const std::string& control, const std::string& url_path,
                                const nlohmann::json& body, int* http_status) {
  AVA_ASSIGN_OR_RETURN(httplib::Client cli, Connect(control));
  httplib::Result r = cli.Post(url_path.c_str(), body.dump(), "application/json");
  if (!r) return HttpFailure(control, url_path, r);
  *http_status = r->status;
  nlohmann::json j = nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return HttpFailure(control, url_path, r);
  return j;
}

Status PostStreaming(const std::string& control, const std::string& url_path, const nlohmann::json& body,
                     const std::function<void(const std::string& line)>& on_line) {
  AVA_ASSIGN_OR_RETURN(httplib::Client cli, Connect(control));
  std::string pending;
  httplib::Request req;
  req.method = "POST";
  req.path = url_path;
  req.body = body.dump();
  req.set_header("Content-Type", "application/json");
  req.content_receiver = [&](const char* data, size_t len, uint64_t, uint64_t) {
    pending.append(data, len);
    size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      on_line(pending.substr(0, nl));
      pending.erase(0, nl + 1);
    }
    return true;
  };
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  if (!cli.send(req, res, error)) {
    return Status::Unavailable(fmt::format("avafs daemon at {} does not answer {} ({})", control, url_path,
                                           httplib::to_string(error)));
  }
  if (res.status != 200) {
    return Status::InvalidArgument(
        fmt::format("avafs daemon refused {}: HTTP {} {}", url_path, res.status, res.body));
  }
  if (!pending.empty()) on_line(pending);
  return Status::OK();
}

}  // namespace ava::avafs
