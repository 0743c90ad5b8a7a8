#include "store/credentials.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>

#include "common/file_util.h"

namespace ava::store {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<Credentials> ParseCredentialsFile(std::string_view text, std::string_view profile,
                                         std::string_view source) {
  Credentials out;
  bool in_profile = false;
  bool found = false;
  int line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']')
        return Status::InvalidArgument(fmt::format("{}:{}: unclosed '['", source, line_no));
      std::string_view name = Trim(line.substr(1, line.size() - 2));
      // ~/.aws/config style "[profile x]" is accepted too.
      if (name.starts_with("profile ")) name = Trim(name.substr(8));
      in_profile = name == profile;
      found = found || in_profile;
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format("{}:{}: expected 'key = value'", source, line_no));
    }
    if (!in_profile) continue;
    std::string key = Lower(Trim(line.substr(0, eq)));
    std::string value(Trim(line.substr(eq + 1)));
    if (key == "aws_access_key_id") out.access_key = value;
    if (key == "aws_secret_access_key") out.secret_key = value;
    if (key == "aws_session_token") out.session_token = value;
  }
  if (!found) return Status::NotFound(fmt::format("{} has no [{}] profile", source, profile));
  if (out.access_key.empty() || out.secret_key.empty()) {
    return Status::InvalidArgument(
        fmt::format("{}: profile [{}] needs both aws_access_key_id and "
                    "aws_secret_access_key",
                    source, profile));
  }
  return out;
}

Result<Credentials> ResolveCredentials(const CredentialSource& source, const EnvLookup& env) {
  const Credentials& given = source.explicit_credentials;
  if (!given.access_key.empty() || !given.secret_key.empty()) {
    if (given.access_key.empty() || given.secret_key.empty()) {
      return Status::InvalidArgument("store config gives only one of access_key and secret_key");
    }
    return given;
  }

  std::optional<std::string> env_key = env("AWS_ACCESS_KEY_ID");
  std::optional<std::string> env_secret = env("AWS_SECRET_ACCESS_KEY");
  if ((env_key && !env_key->empty()) || (env_secret && !env_secret->empty())) {
    if (!env_key || env_key->empty() || !env_secret || env_secret->empty()) {
      return Status::InvalidArgument("only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set");
    }
    return Credentials{*env_key, *env_secret, env("AWS_SESSION_TOKEN").value_or("")};
  }

  std::string file = source.credentials_file;
  if (file.empty()) file = env("AWS_SHARED_CREDENTIALS_FILE").value_or("");
  if (file.empty()) {
    std::optional<std::string> home = env("HOME");
    if (home && !home->empty()) file = *home + "/.aws/credentials";
  }
  std::string profile = source.profile;
  if (profile.empty()) profile = env("AWS_PROFILE").value_or("");
  if (profile.empty()) profile = "default";

  std::string file_note;
  if (file.empty()) {
    file_note = "no credentials file ($HOME is not set)";
  } else {
    Result<std::string> text = ReadFile(file);
    if (text.ok()) {
      Result<Credentials> parsed = ParseCredentialsFile(*text, profile, file);
      if (parsed.ok() || !parsed.status().IsNotFound()) return parsed;
      file_note = parsed.status().message();
    } else if (text.status().IsNotFound()) {
      file_note = file + " does not exist";
    } else {
      return text.status().Annotate("reading S3 credentials");
    }
  }
  return Status::Unauthenticated(
      fmt::format("no S3 credentials: the store config has no access_key/secret_key, AWS_ACCESS_KEY_ID and "
                  "AWS_SECRET_ACCESS_KEY are not set, and {}",
                  file_note));
}

}  // namespace ava::store
