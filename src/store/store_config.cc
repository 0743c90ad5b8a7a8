#include "store/store_config.h"

#include <fmt/format.h>

#include "store/curl_transport.h"
#include "store/instrumented_store.h"
#include "store/memory_store.h"
#include "store/posix_store.h"

namespace ava::store {
namespace {

struct S3Target {
  std::string bucket;
  std::string endpoint;  // "" when the config must supply it
};

Status ParseS3Uri(const StoreConfig& config, const std::string& rest, S3Target* out) {
  std::string bucket = rest;
  std::string host;
  if (size_t at = rest.find('@'); at != std::string::npos) {
    bucket = rest.substr(0, at);
    host = rest.substr(at + 1);
    if (host.empty()) return Status::InvalidArgument("uri '" + config.uri + "': nothing after '@'");
  }
  while (!bucket.empty() && bucket.back() == '/') bucket.pop_back();
  if (bucket.find('/') != std::string::npos) {
    return Status::InvalidArgument("uri '" + config.uri +
                                   "': a store is a whole bucket; mount a sub-directory instead");
  }
  AVA_RETURN_IF_ERROR(ValidateBucketName(bucket).Annotate("uri '" + config.uri + "'"));
  out->bucket = bucket;
  if (!host.empty() && !config.endpoint.empty()) {
    return Status::InvalidArgument("uri '" + config.uri +
                                   "' names a host and 'endpoint' is set too; give one of them");
  }
  if (!host.empty()) {
    out->endpoint = "http://" + host;
  } else if (!config.endpoint.empty()) {
    out->endpoint = config.endpoint;
  } else {
    out->endpoint = "https://s3." + config.region + ".amazonaws.com";
  }
  return Status::OK();
}

}  // namespace

Status SplitStoreUri(const std::string& uri, std::string* scheme, std::string* rest) {
  size_t sep = uri.find("://");
  if (uri.empty())
    return Status::InvalidArgument("'uri' is empty: expected s3://bucket, file:///dir or mem://name");
  if (sep == std::string::npos) {
    return Status::InvalidArgument("uri '" + uri +
                                   "' has no scheme: expected s3://bucket, file:///dir or mem://name");
  }
  *scheme = uri.substr(0, sep);
  *rest = uri.substr(sep + 3);
  if (*scheme != "s3" && *scheme != "file" && *scheme != "mem") {
    return Status::InvalidArgument("uri '" + uri + "': unknown scheme '" + *scheme + "' (s3, file or mem)");
  }
  return Status::OK();
}

Status StoreConfig::Validate() const {
  std::string scheme, rest;
  AVA_RETURN_IF_ERROR(SplitStoreUri(uri, &scheme, &rest));
  if (scheme == "file" && (rest.empty() || rest.front() != '/')) {
    return Status::InvalidArgument("uri '" + uri + "': a file store needs an absolute path, file:///dir");
  }
  if (scheme == "mem" && rest.empty())
    return Status::InvalidArgument("uri '" + uri + "': a memory store needs a name");
  if (scheme == "s3") {
    S3Target target;
    AVA_RETURN_IF_ERROR(ParseS3Uri(*this, rest, &target));
    std::string s, a;
    AVA_RETURN_IF_ERROR(ParseEndpoint(target.endpoint, &s, &a).Annotate("'endpoint'"));
  }
  if (region.empty()) return Status::InvalidArgument("'region' is empty");
  if (access_key.empty() != secret_key.empty()) {
    return Status::InvalidArgument("'access_key' and 'secret_key' must be given together");
  }
  if (connect_timeout < std::chrono::milliseconds(1)) {
    return Status::InvalidArgument("'connect_timeout' must be at least 1ms");
  }
  if (request_timeout < std::chrono::seconds(1))
    return Status::InvalidArgument("'request_timeout' must be at least 1s");
  if (max_attempts < 1 || max_attempts > 20) {
    return Status::InvalidArgument(fmt::format("'max_attempts' must be 1..20, got {}", max_attempts));
  }
  if (retry_base_delay.count() < 0 || retry_max_delay < retry_base_delay) {
    return Status::InvalidArgument("'retry_base_delay' must be >= 0 and at most 'retry_max_delay'");
  }
  if (max_connections < 1 || max_connections > 4096) {
    return Status::InvalidArgument(fmt::format("'max_connections' must be 1..4096, got {}", max_connections));
  }
  return Status::OK();
}

Result<StoreConfig> ParseStoreConfig(const YamlDoc& doc, const YAML::Node& node) {
  AVA_RETURN_IF_ERROR(
      CheckKeys(doc, node,
                {"uri", "endpoint", "region", "addressing", "access_key", "secret_key", "session_token",
                 "credentials_file", "profile", "connect_timeout", "request_timeout", "max_attempts",
                 "retry_base_delay", "retry_max_delay", "max_connections", "verify_tls", "sign_payload"}));
  StoreConfig c;
  AVA_ASSIGN_OR_RETURN(c.uri, GetString(doc, node, "uri"));
  AVA_ASSIGN_OR_RETURN(c.endpoint, GetString(doc, node, "endpoint", c.endpoint));
  AVA_ASSIGN_OR_RETURN(c.region, GetString(doc, node, "region", c.region));
  AVA_ASSIGN_OR_RETURN(std::string addressing, GetString(doc, node, "addressing", std::string("path")));
  if (addressing == "path") {
    c.addressing = S3Addressing::kPath;
  } else if (addressing == "virtual") {
    c.addressing = S3Addressing::kVirtualHost;
  } else {
    return YamlError(doc, node["addressing"],
                     "'addressing' must be 'path' or 'virtual', not '" + addressing + "'");
  }
  AVA_ASSIGN_OR_RETURN(c.access_key, GetString(doc, node, "access_key", c.access_key));
  AVA_ASSIGN_OR_RETURN(c.secret_key, GetString(doc, node, "secret_key", c.secret_key));
  AVA_ASSIGN_OR_RETURN(c.session_token, GetString(doc, node, "session_token", c.session_token));
  AVA_ASSIGN_OR_RETURN(c.credentials_file, GetString(doc, node, "credentials_file", c.credentials_file));
  AVA_ASSIGN_OR_RETURN(c.profile, GetString(doc, node, "profile", c.profile));
  AVA_ASSIGN_OR_RETURN(c.connect_timeout, GetDuration(doc, node, "connect_timeout", c.connect_timeout));
  AVA_ASSIGN_OR_RETURN(c.request_timeout, GetDuration(doc, node, "request_timeout", c.request_timeout));
  AVA_ASSIGN_OR_RETURN(int64_t attempts, GetInt(doc, node, "max_attempts", c.max_attempts));
  c.max_attempts = static_cast<int>(std::clamp<int64_t>(attempts, -1, 1 << 20));
  AVA_ASSIGN_OR_RETURN(c.retry_base_delay, GetDuration(doc, node, "retry_base_delay", c.retry_base_delay));
  AVA_ASSIGN_OR_RETURN(c.retry_max_delay, GetDuration(doc, node, "retry_max_delay", c.retry_max_delay));
  AVA_ASSIGN_OR_RETURN(int64_t conns, GetInt(doc, node, "max_connections", c.max_connections));
  c.max_connections = static_cast<int>(std::clamp<int64_t>(conns, -1, 1 << 20));
  AVA_ASSIGN_OR_RETURN(c.verify_tls, GetBool(doc, node, "verify_tls", c.verify_tls));
  AVA_ASSIGN_OR_RETURN(c.sign_payload, GetBool(doc, node, "sign_payload", c.sign_payload));
  if (Status s = c.Validate(); !s.ok()) return YamlError(doc, node, s.message());
  return c;
}

Result<std::unique_ptr<ObjectStore>> OpenStore(const StoreConfig& config, const StoreEnv& env) {
  AVA_RETURN_IF_ERROR(config.Validate());
  if (env.clock == nullptr) return Status::InvalidArgument("OpenStore needs a clock");
  std::string scheme, rest;
  AVA_RETURN_IF_ERROR(SplitStoreUri(config.uri, &scheme, &rest));

  std::unique_ptr<ObjectStore> store;
  if (scheme == "mem") {
    store = std::make_unique<MemoryStore>(rest, env.clock);
  } else if (scheme == "file") {
    AVA_ASSIGN_OR_RETURN(std::unique_ptr<PosixStore> posix, PosixStore::Open(rest));
    store = std::move(posix);
  } else {
    S3Target target;
    AVA_RETURN_IF_ERROR(ParseS3Uri(config, rest, &target));
    CredentialSource source{
        .explicit_credentials = {config.access_key, config.secret_key, config.session_token},
        .credentials_file = config.credentials_file,
        .profile = config.profile};
    AVA_ASSIGN_OR_RETURN(Credentials credentials, ResolveCredentials(source, env.env));
    CurlTransportOptions transport{
        .connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(config.connect_timeout),
        .stall_timeout = std::chrono::duration_cast<std::chrono::seconds>(config.request_timeout),
        .max_idle_handles = static_cast<size_t>(config.max_connections),
        .verify_tls = config.verify_tls};
    S3StoreOptions options{.bucket = target.bucket,
                           .endpoint = target.endpoint,
                           .region = config.region,
                           .addressing = config.addressing,
                           .credentials = std::move(credentials),
                           .retry = {.max_attempts = config.max_attempts,
                                     .base_delay = config.retry_base_delay,
                                     .max_delay = config.retry_max_delay},
                           .sign_payload = config.sign_payload};
    AVA_ASSIGN_OR_RETURN(std::unique_ptr<S3Store> s3,
                         S3Store::Create(std::move(options), std::make_unique<CurlTransport>(transport),
                                         env.clock, env.logger));
    // Fail the mount now, with a message that says what is wrong, rather than on the first read.
    Status reachable = s3->CheckBucket();
    if (!reachable.ok()) {
      std::string where = s3->Describe();
      switch (reachable.code()) {
        case Code::kUnauthenticated:
          return Status::Unauthenticated("credentials rejected by " + where + ": " + reachable.message());
        case Code::kPermissionDenied:
          return Status::PermissionDenied("access to " + where + " denied: " + reachable.message());
        case Code::kNotFound:
          return Status::NotFound("bucket " + target.bucket + " does not exist at " + target.endpoint + ": " +
                                  reachable.message());
        default:
          return reachable.Annotate("opening " + where);
      }
    }
    AVA_LOG(env.logger, kInfo, "store", "opened {}", s3->Describe());
    store = std::move(s3);
  }
  if (env.metrics != nullptr) {
    return std::unique_ptr<ObjectStore>(
        std::make_unique<InstrumentedStore>(std::move(store), env.metrics, env.clock));
  }
  return store;
}

}  // namespace ava::store
