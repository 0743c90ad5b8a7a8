// ControlClient: how the avafs CLI talks to a running avafs daemon. A path inside a mount tells
// where the daemon listens (xattr user.avafs.control) and what the path is inside the tree
// (xattr user.avafs.path), so `avafs warm /mnt/data/imagenet` needs no other flag.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"

namespace ava::avafs {

struct MountedPath {
  std::string control;    // "127.0.0.1:port"
  std::string tree_path;  // "/imagenet/train"
};

// Reads the two xattrs of `path`; a clear error when it is not inside an avafs mount.
Result<MountedPath> LocateInMount(const std::string& path);

Result<nlohmann::json> GetJson(const std::string& control, const std::string& url_path);
Result<std::string> GetText(const std::string& control, const std::string& url_path);
// POSTs `body` and returns the JSON answer (also for HTTP errors that carry one).
Result<nlohmann::json> PostJson(const std::string& control, const std::string& url_path,
                                const nlohmann::json& body, int* http_status);
// POSTs `body` and calls `on_line` for each line of the streamed answer.
Status PostStreaming(const std::string& control, const std::string& url_path, const nlohmann::json& body,
                     const std::function<void(const std::string& line)>& on_line);

}  // namespace ava::avafs
