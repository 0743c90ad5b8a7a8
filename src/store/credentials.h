// Where S3 credentials come from, in this order (the AWS CLI's order, minus instance metadata):
//   1. explicit access_key/secret_key (and session_token) from the store's config;
//   2. the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN;
//   3. a shared credentials file (INI): the configured credentials_file, else
//      $AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials; profile from the config, else
//      $AWS_PROFILE, else "default".
// Nothing found → Unauthenticated with a message naming every place that was looked at. A
// half-given pair (key without secret) → InvalidArgument naming the source.
//
// The environment is injected (a lookup function) so tests do not touch the process environment.
// Thread safety: free functions, reentrant.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "store/sigv4_signer.h"

namespace ava::store {

struct CredentialSource {
  Credentials explicit_credentials;  // used when access_key is set
  std::string credentials_file;      // "" = $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials
  std::string profile;               // "" = $AWS_PROFILE or "default"
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
// Reads the real process environment.
EnvLookup ProcessEnv();

Result<Credentials> ResolveCredentials(const CredentialSource& source, const EnvLookup& env);

// Parses the INI text of a credentials file and returns `profile`'s keys. NotFound when the
// profile is absent; InvalidArgument "source:line: ..." for malformed lines or a profile missing
// one of the two keys.
Result<Credentials> ParseCredentialsFile(std::string_view text, std::string_view profile,
                                         std::string_view source);

}  // namespace ava::store
