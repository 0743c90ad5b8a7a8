// StoreConfig: the typed configuration of one object store, read from YAML (one mapping per
// mount), validated, and turned into a live store by OpenStore().
//
//   uri: s3://imagenet            # or s3://bucket@host:port, file:///data/scratch, mem://test
//   endpoint: http://127.0.0.1:7480
//   region: us-east-1
//   addressing: path              # or virtual
//   profile: ceph                 # credentials: see credentials.h for the lookup order
//   connect_timeout: 5s
//   request_timeout: 30s          # a transfer making no progress for this long is aborted
//   max_attempts: 4
//   retry_base_delay: 50ms
//   retry_max_delay: 5s
//   max_connections: 64
//
// For S3, OpenStore proves the bucket answers (a one-key ListObjectsV2) before returning, so a
// mount with a wrong endpoint, bucket or credentials fails at once with a message that says
// which: "cannot reach http://127.0.0.1:7481: connection refused", "credentials rejected by
// s3://b@host: …SignatureDoesNotMatch…", "bucket b does not exist at http://…".
//
// Errors: InvalidArgument naming the key (and file:line when parsed from YAML) for bad values.
// Thread safety: plain data and free functions.
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/yaml_config.h"
#include "store/credentials.h"
#include "store/object_store.h"
#include "store/s3_store.h"

namespace ava::store {

struct StoreConfig {
  std::string uri;       // required: "s3://bucket", "s3://bucket@host:port", "file:///abs/dir", "mem://name"
  std::string endpoint;  // S3: "http(s)://host[:port]"; "" = from the uri's @host:port (http), else AWS
  std::string region = "us-east-1";
  S3Addressing addressing = S3Addressing::kPath;
  std::string access_key;  // optional; see credentials.h
  std::string secret_key;
  std::string session_token;
  std::string credentials_file;  // "" = $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials
  std::string profile;           // "" = $AWS_PROFILE or "default"
  Nanos connect_timeout = std::chrono::seconds(5);
  Nanos request_timeout = std::chrono::seconds(30);
  int max_attempts = 4;
  Nanos retry_base_delay = std::chrono::milliseconds(50);
  Nanos retry_max_delay = std::chrono::seconds(5);
  int max_connections = 64;  // idle keep-alive connections kept for reuse
  bool verify_tls = true;
  bool sign_payload = false;  // sign the SHA-256 of bodies instead of UNSIGNED-PAYLOAD

  // Checks every field; InvalidArgument naming the first bad key.
  Status Validate() const;
};

// What a store is opened with. Pointers may be null except `clock`; they must outlive the store.
struct StoreEnv {
  Clock* clock = nullptr;
  Logger* logger = nullptr;
  MetricsRegistry* metrics = nullptr;  // set: the store is wrapped in an InstrumentedStore
  EnvLookup env = ProcessEnv();        // where AWS_* variables and HOME are read
};

// Reads a StoreConfig from the YAML mapping `node`; unknown keys and bad values are errors that
// name file:line:column.
Result<StoreConfig> ParseStoreConfig(const YamlDoc& doc, const YAML::Node& node);

// The scheme ("s3", "file", "mem") and the part after "://", or InvalidArgument.
Status SplitStoreUri(const std::string& uri, std::string* scheme, std::string* rest);

Result<std::unique_ptr<ObjectStore>> OpenStore(const StoreConfig& config, const StoreEnv& env);

}  // namespace ava::store
