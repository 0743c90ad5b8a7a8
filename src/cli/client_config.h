// ClientConfig: where the `ava` CLI finds avad and which token it uses, kept in
// ~/.config/ava/config.yaml ($XDG_CONFIG_HOME/ava/config.yaml when set; AVA_CONFIG names another
// file) with mode 0600, since it holds a bearer token:
//
//   server: http://avad.example:7070
//   token: ava_…
//
// AVA_SERVER and AVA_TOKEN in the environment, then --server and --token on the command line,
// override the file.
//
// Errors: Load returns NotFound when the file does not exist and InvalidArgument naming the key
// for a malformed one; Save returns IOError when the file cannot be written.
// Thread safety: plain values and free functions.
#pragma once

#include <map>
#include <string>

#include "common/result.h"

namespace ava::cli {

struct ClientConfig {
  std::string server;
  std::string token;
};

// The environment the CLI runs in, passed in so tests control it.
struct CliEnvironment {
  std::map<std::string, std::string> vars;  // HOME, XDG_CONFIG_HOME, AVA_CONFIG, AVA_SERVER, AVA_TOKEN

  std::string Get(const std::string& name) const {
    auto it = vars.find(name);
    return it == vars.end() ? std::string() : it->second;
  }
  // The process's real environment (the variables above only).
  static CliEnvironment FromProcess();
};

// The config file's path under `env`.
std::string ClientConfigPath(const CliEnvironment& env);
Result<ClientConfig> LoadClientConfig(const std::string& path);
// Writes atomically with mode 0600, creating the directory (0700) if needed.
Status SaveClientConfig(const std::string& path, const ClientConfig& config);

}  // namespace ava::cli
