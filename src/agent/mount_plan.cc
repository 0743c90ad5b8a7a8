#include "agent/mount_plan.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace ava::agent {
namespace {

// "/a//b/" → "/a/b"; false when a component is "." or "..".
bool NormalizeAbsolute(std::string_view p, std::string* out) {
  out->clear();
  size_t i = 0;
  while (i < p.size()) {
    while (i < p.size() && p[i] == '/') ++i;
    size_t j = i;
    while (j < p.size() && p[j] != '/') ++j;
    if (j > i) {
      std::string_view part = p.substr(i, j - i);
      if (part == "." || part == "..") return false;
      out->push_back('/');
      out->append(part);
    }
    i = j;
  }
  return true;
}

// True when `p` is `base` or lies below it.
bool Under(std::string_view p, std::string_view base) {
  return p == base || (p.size() > base.size() && p.substr(0, base.size()) == base && p[base.size()] == '/');
}

}  // namespace

std::string MountEnvName(std::string_view path) {
  std::string name = "AVA_MOUNT";
  bool sep = true;
  for (char c : path) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) {
      sep = true;
      continue;
    }
    if (sep) name.push_back('_');
    sep = false;
    name.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return name;
}

Result<std::vector<MountBinding>> ResolveMounts(const std::vector<MountRequest>& mounts,
                                                const std::string& tree_root, const std::string& job_root) {
  std::vector<MountBinding> out;
  if (mounts.empty()) return out;
  if (tree_root.empty()) {
    return Status::FailedPrecondition(
        "the job has mounts but this node has no avafs tree (the agent's config sets no avafs.mount_point)");
  }
  for (size_t i = 0; i < mounts.size(); ++i) {
    const MountRequest& m = mounts[i];
    MountBinding b;
    if (!NormalizeAbsolute(m.path, &b.path) || m.path.empty() || m.path[0] != '/' || b.path.empty()) {
      return Status::InvalidArgument(fmt::format(
          "mounts[{}].path '{}' must be an absolute path other than / without . or ..", i, m.path));
    }
    std::string source;
    if (!NormalizeAbsolute(m.source, &source) || source.empty()) {
      return Status::InvalidArgument(fmt::format(
          "mounts[{}].source '{}' must be a path inside the avafs tree without . or ..", i, m.source));
    }
    for (const MountBinding& other : out) {
      if (Under(b.path, other.path) || Under(other.path, b.path)) {
        return Status::InvalidArgument(
            fmt::format("mounts[{}].path {} overlaps the mount at {}", i, b.path, other.path));
      }
    }
    b.host_path = tree_root + source;
    struct stat st {};
    if (::stat(b.host_path.c_str(), &st) != 0) {
      const int err = errno;
      return Status::NotFound(
          fmt::format("mount source '{}' does not exist in the node's avafs tree ({}: {})", m.source,
                      b.host_path, std::strerror(err)));
    }
    b.readonly = m.readonly;
    b.env_name = MountEnvName(b.path);
    if (!job_root.empty()) b.link_path = job_root + b.path;
    out.push_back(std::move(b));
  }
  return out;
}

std::string RewritePath(std::string_view p, const std::vector<MountBinding>& mounts) {
  for (const MountBinding& m : mounts) {
    if (m.link_path.empty()) continue;
    if (Under(p, m.path)) return m.link_path + std::string(p.substr(m.path.size()));
  }
  return std::string(p);
}

std::string RewriteWords(std::string_view text, const std::vector<MountBinding>& mounts) {
  auto starts_word = [&](size_t i) {
    if (i == 0) return true;
    const char c = text[i - 1];
    return c == ' ' || c == '\t' || c == '\n' || c == '"' || c == '\'' || c == '=' || c == ':' || c == '(';
  };
  auto ends_path = [&](size_t i) {
    if (i == text.size()) return true;
    const char c = text[i];
    return c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '"' || c == '\'' || c == ':' || c == ';' ||
           c == ')' || c == '&' || c == '|' || c == '>' || c == '<';
  };
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    bool replaced = false;
    if (text[i] == '/' && starts_word(i)) {
      for (const MountBinding& m : mounts) {
        if (m.link_path.empty()) continue;
        if (text.substr(i, m.path.size()) == m.path && ends_path(i + m.path.size())) {
          out += m.link_path;
          i += m.path.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out.push_back(text[i++]);
  }
  return out;
}

std::string HostPathOf(std::string_view job_path, const std::vector<MountBinding>& mounts,
                       const std::string& workdir_host) {
  if (job_path.empty()) return std::string();
  if (job_path[0] != '/') return workdir_host + "/" + std::string(job_path);
  for (const MountBinding& m : mounts) {
    if (Under(job_path, m.path)) return m.host_path + std::string(job_path.substr(m.path.size()));
  }
  return std::string(job_path);
}

}  // namespace ava::agent
