// SigV4Signer: AWS Signature Version 4 for S3 requests, header-based ("Authorization:
// AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…"). It builds the canonical request
// (method, URI-encoded path, sorted query, lower-cased trimmed headers, payload hash), the string
// to sign and the signing key (HMAC chain over date, region, service), as in the S3 API reference
// "Authenticating Requests (AWS Signature Version 4)".
//
// The payload hash is the hex SHA-256 of the body, or "UNSIGNED-PAYLOAD" (allowed by S3 and RGW;
// integrity then comes from Content-MD5).
//
// Errors: none (signing cannot fail). Thread safety: a signer is immutable after construction;
// Sign() may be called from many threads.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"

namespace ava::store {

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // "" unless temporary credentials
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;
using QueryList = std::vector<std::pair<std::string, std::string>>;  // raw (not encoded) name, value

inline constexpr char kUnsignedPayload[] = "UNSIGNED-PAYLOAD";
inline constexpr char kEmptyPayloadSha256[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// AWS URI encoding: every byte but A-Z a-z 0-9 '-' '_' '.' '~' becomes %XX (upper-case hex);
// '/' is kept when `encode_slash` is false (object key paths).
std::string UriEncode(std::string_view s, bool encode_slash);
// "a=1&b=x%20y": names and values URI-encoded, sorted by name then value; "name=" for no value.
std::string CanonicalQuery(const QueryList& query);
std::string Sha256Hex(std::string_view data);
// "20130524T000000Z" for a time since the Unix epoch.
std::string AmzDate(Nanos wall_time);

struct SignedRequestParts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
  std::string authorization;  // the Authorization header value
};

class SigV4Signer {
 public:
  SigV4Signer(Credentials credentials, std::string region, std::string service = "s3");

  // Signs a request. `canonical_uri` is the already-encoded path ("/bucket/a%20b"); `headers` must
  // include "host" and every header to sign (all given headers are signed). Adds x-amz-date,
  // x-amz-content-sha256 and (with a session token) x-amz-security-token to `headers`, then the
  // Authorization header.
  void Sign(std::string_view method, std::string_view canonical_uri, const QueryList& query,
            std::string_view payload_hash, Nanos wall_time, HeaderList* headers) const;

  // The intermediate values of Sign(), for tests and debugging. `headers` must already hold
  // x-amz-date and x-amz-content-sha256.
  SignedRequestParts Compute(std::string_view method, std::string_view canonical_uri, const QueryList& query,
                             const HeaderList& headers, std::string_view payload_hash,
                             std::string_view amz_date) const;

  const Credentials& credentials() const { return credentials_; }
  const std::string& region() const { return region_; }

 private:
  const Credentials credentials_;
  const std::string region_;
  const std::string service_;
};

}  // namespace ava::store
