#include "fs/avafs_config.h"

#include <fmt/format.h>

#include <set>

#include "common/units.h"
#include "common/yaml_config.h"

namespace ava::fs {

namespace {

bool IsPowerOfTwo(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

Result<WritableSpec> ParseWritable(const YamlDoc& doc, const YAML::Node& w) {
  AVA_RETURN_IF_ERROR(
      CheckKeys(doc, w,
                {"durable", "state_dir", "upload_delay", "durable_capacity", "durable_high_watermark",
                 "durable_low_watermark", "upload_threads", "upload_part_size", "staging_memory"}));
  WritableSpec spec;
  YAML::Node durable = w["durable"];
  if (!durable.IsDefined() || !durable.IsMap()) {
    return YamlError(doc, w,
                     "'writable' needs a 'durable' store mapping (uri: s3://… on Ceph, or file:///…)");
  }
  AVA_ASSIGN_OR_RETURN(spec.durable, store::ParseStoreConfig(doc, durable));
  WritebackConfig& c = spec.writeback;
  AVA_ASSIGN_OR_RETURN(c.state_dir, GetString(doc, w, "state_dir"));
  AVA_ASSIGN_OR_RETURN(c.upload_delay, GetDuration(doc, w, "upload_delay", c.upload_delay));
  AVA_ASSIGN_OR_RETURN(c.durable_capacity, GetBytes(doc, w, "durable_capacity", c.durable_capacity));
  AVA_ASSIGN_OR_RETURN(c.durable_high_watermark,
                       GetDouble(doc, w, "durable_high_watermark", c.durable_high_watermark));
  AVA_ASSIGN_OR_RETURN(c.durable_low_watermark,
                       GetDouble(doc, w, "durable_low_watermark", c.durable_low_watermark));
  AVA_ASSIGN_OR_RETURN(int64_t threads, GetInt(doc, w, "upload_threads", c.uploader.threads));
  c.uploader.threads = static_cast<int>(threads);
  AVA_ASSIGN_OR_RETURN(c.uploader.part_size, GetBytes(doc, w, "upload_part_size", c.uploader.part_size));
  AVA_ASSIGN_OR_RETURN(c.staging_memory, GetBytes(doc, w, "staging_memory", c.staging_memory));
  Status s = c.Validate();
  if (!s.ok()) return YamlError(doc, w, s.message());
  return spec;
}

Result<AvafsConfig> FromDoc(const YamlDoc& doc) {
  AvafsConfig c;
  c.source = doc.source;
  const YAML::Node& root = doc.root;
  if (!root.IsMap()) return YamlError(doc, root, "expected a mapping with a 'mounts' list");
  AVA_RETURN_IF_ERROR(CheckKeys(doc, root, {"metadata_ttl", "control", "read", "cache", "mounts"}));
  AVA_ASSIGN_OR_RETURN(std::string ttl, GetString(doc, root, "metadata_ttl", std::string("60s")));
  Result<MetadataTtl> parsed_ttl = MetadataTtl::Parse(ttl);
  if (!parsed_ttl.ok()) return YamlError(doc, root["metadata_ttl"], parsed_ttl.status().message());
  c.metadata_ttl = *parsed_ttl;
  AVA_ASSIGN_OR_RETURN(c.control_address, GetString(doc, root, "control", c.control_address));

  if (YAML::Node read = root["read"]; read.IsDefined() && !read.IsNull()) {
    AVA_RETURN_IF_ERROR(CheckKeys(
        doc, read, {"block_size", "max_request", "max_readahead", "fetch_buffers", "fetch_threads"}));
    AVA_ASSIGN_OR_RETURN(c.read.block_size, GetBytes(doc, read, "block_size", c.read.block_size));
    AVA_ASSIGN_OR_RETURN(c.read.max_request, GetBytes(doc, read, "max_request", c.read.max_request));
    AVA_ASSIGN_OR_RETURN(c.read.max_readahead, GetBytes(doc, read, "max_readahead", c.read.max_readahead));
    AVA_ASSIGN_OR_RETURN(c.read.fetch_buffers, GetBytes(doc, read, "fetch_buffers", c.read.fetch_buffers));
    AVA_ASSIGN_OR_RETURN(int64_t threads, GetInt(doc, read, "fetch_threads", c.read.fetch_threads));
    c.read.fetch_threads = static_cast<int>(threads);
    Status s = c.read.Validate();
    if (!s.ok()) return YamlError(doc, read, s.message());
  }
  if (YAML::Node cache = root["cache"]; cache.IsDefined() && !cache.IsNull()) {
    AVA_ASSIGN_OR_RETURN(c.cache, cache::ParseCacheConfig(doc, cache));
  }
  YAML::Node mounts = root["mounts"];
  if (!mounts.IsDefined() || mounts.IsNull()) return YamlError(doc, root, "missing required key 'mounts'");
  if (!mounts.IsSequence() || mounts.size() == 0) {
    return YamlError(doc, mounts, "'mounts' must be a non-empty list of {name, store, prefix}");
  }
  std::set<std::string> names;
  for (const auto& m : mounts) {
    AVA_RETURN_IF_ERROR(CheckKeys(doc, m, {"name", "store", "prefix", "writable"}));
    MountSpec spec;
    AVA_ASSIGN_OR_RETURN(spec.name, GetString(doc, m, "name"));
    if (spec.name.empty() || spec.name.find('/') != std::string::npos || spec.name == "." ||
        spec.name == "..") {
      return YamlError(doc, m["name"], fmt::format("mount name '{}' must be one path component", spec.name));
    }
    if (!names.insert(spec.name).second) {
      return YamlError(doc, m["name"], fmt::format("mount name '{}' is used twice", spec.name));
    }
    AVA_ASSIGN_OR_RETURN(spec.prefix, GetString(doc, m, "prefix", std::string()));
    if (!spec.prefix.empty() && spec.prefix.back() != '/') spec.prefix += '/';
    if (!spec.prefix.empty() && spec.prefix.front() == '/') {
      return YamlError(doc, m["prefix"], "prefix must not start with '/'");
    }
    if (YAML::Node w = m["writable"]; w.IsDefined() && !w.IsNull()) {
      AVA_ASSIGN_OR_RETURN(spec.writable, ParseWritable(doc, w));
    }
    YAML::Node store = m["store"];
    if (store.IsDefined() && !store.IsNull()) {
      if (!store.IsMap()) return YamlError(doc, store, "'store' must be a mapping (uri: s3://…, file://…)");
      AVA_ASSIGN_OR_RETURN(spec.store, store::ParseStoreConfig(doc, store));
    } else if (!spec.writable) {
      return YamlError(doc, m,
                       fmt::format("mount '{}' needs a 'store' mapping (uri: s3://…, file://…)", spec.name));
    }
    c.mounts.push_back(std::move(spec));
  }
  return c;
}

}  // namespace

Status ReadConfig::Validate() const {
  if (block_size < (64 << 10) || block_size > (64 << 20) || !IsPowerOfTwo(block_size)) {
    return Status::InvalidArgument(
        fmt::format("block_size {} must be a power of two between 64KiB and 64MiB", FormatBytes(block_size)));
  }
  if (max_request < block_size || max_request % block_size != 0) {
    return Status::InvalidArgument("max_request must be a multiple of block_size");
  }
  if (fetch_buffers < max_request) {
    return Status::InvalidArgument("fetch_buffers must hold at least one max_request");
  }
  if (fetch_threads < 1 || fetch_threads > 1024) {
    return Status::InvalidArgument("fetch_threads must be between 1 and 1024");
  }
  return Status::OK();
}

Status AvafsConfig::Validate() const {
  AVA_RETURN_IF_ERROR(read.Validate());
  AVA_RETURN_IF_ERROR(cache.Validate());
  if (cache.ram.capacity_bytes < read.block_size) {
    return Status::InvalidArgument("cache.ram_capacity must hold at least one block");
  }
  if (mounts.empty()) return Status::InvalidArgument("no mounts configured");
  return Status::OK();
}

Result<AvafsConfig> ParseAvafsConfig(const std::string& text, const std::string& source) {
  AVA_ASSIGN_OR_RETURN(YamlDoc doc, ParseYaml(text, source));
  AVA_ASSIGN_OR_RETURN(AvafsConfig c, FromDoc(doc));
  Status s = c.Validate();
  if (!s.ok()) return Status::InvalidArgument(fmt::format("{}: {}", source, s.message()));
  return c;
}

Result<AvafsConfig> LoadAvafsConfig(const std::string& path) {
  AVA_ASSIGN_OR_RETURN(YamlDoc doc, LoadYamlFile(path));
  AVA_ASSIGN_OR_RETURN(AvafsConfig c, FromDoc(doc));
  Status s = c.Validate();
  if (!s.ok()) return Status::InvalidArgument(fmt::format("{}: {}", path, s.message()));
  return c;
}

}  // namespace ava::fs
