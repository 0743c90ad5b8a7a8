#include "agent/job_spec.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/units.h"

namespace ava::agent {
namespace {

Status FieldError(std::string_view field, std::string_view what) {
  return Status::InvalidArgument(fmt::format("spec.{}: {}", field, what));
}

// Env values written as numbers or booleans in YAML arrive as JSON scalars; the job sees their text.
Result<std::string> ScalarText(const nlohmann::json& v, std::string_view field) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) return v.dump();
  return FieldError(field, "must be a string");
}

bool ValidEnvName(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
      return false;
  }
  return true;
}

}  // namespace

Result<JobSpec> ParseJobSpec(const nlohmann::json& spec) {
  if (!spec.is_object()) return Status::InvalidArgument("spec: a job spec is a JSON object");
  JobSpec out;
  if (auto it = spec.find("name"); it != spec.end() && !it->is_null()) {
    if (!it->is_string()) return FieldError("name", "must be a string");
    out.name = it->get<std::string>();
  }
  if (auto it = spec.find("kind"); it != spec.end() && !it->is_null()) {
    if (!it->is_string() || (*it != "job" && *it != "workspace")) {
      return FieldError("kind", "must be 'job' or 'workspace'");
    }
    out.kind = it->get<std::string>();
  }

  auto cmd = spec.find("command");
  if (cmd == spec.end() || cmd->is_null()) return FieldError("command", "is required");
  if (cmd->is_string()) {
    out.shell = cmd->get<std::string>();
    if (out.shell.empty()) return FieldError("command", "is empty");
  } else if (cmd->is_array()) {
    for (size_t i = 0; i < cmd->size(); ++i) {
      AVA_ASSIGN_OR_RETURN(std::string arg, ScalarText((*cmd)[i], fmt::format("command[{}]", i)));
      out.argv.push_back(std::move(arg));
    }
    if (out.argv.empty() || out.argv[0].empty()) return FieldError("command", "needs a program to run");
  } else {
    return FieldError("command", "must be a list of arguments or a string for /bin/sh -c");
  }

  if (auto it = spec.find("workdir"); it != spec.end() && !it->is_null()) {
    if (!it->is_string()) return FieldError("workdir", "must be a string");
    out.workdir = it->get<std::string>();
    if (!out.workdir.empty() && out.workdir[0] != '/')
      return FieldError("workdir", "must be an absolute path");
  }

  if (auto it = spec.find("env"); it != spec.end() && !it->is_null()) {
    if (!it->is_object()) return FieldError("env", "must be a mapping of NAME: value");
    for (auto& [k, v] : it->items()) {
      if (!ValidEnvName(k)) return FieldError("env", fmt::format("'{}' is not a valid variable name", k));
      AVA_ASSIGN_OR_RETURN(out.env[k], ScalarText(v, fmt::format("env.{}", k)));
    }
  }

  if (auto it = spec.find("mounts"); it != spec.end() && !it->is_null()) {
    if (!it->is_array()) return FieldError("mounts", "must be a list");
    for (size_t i = 0; i < it->size(); ++i) {
      const nlohmann::json& m = (*it)[i];
      const std::string field = fmt::format("mounts[{}]", i);
      if (!m.is_object()) return FieldError(field, "must be a mapping with path and source");
      MountRequest r;
      auto path = m.find("path");
      auto source = m.find("source");
      if (path == m.end() || !path->is_string() || path->get<std::string>().empty() ||
          path->get<std::string>()[0] != '/') {
        return FieldError(field + ".path", "must be an absolute path");
      }
      if (source == m.end() || !source->is_string() || source->get<std::string>().empty()) {
        return FieldError(field + ".source", "must name a path in the node's avafs tree");
      }
      r.path = path->get<std::string>();
      r.source = source->get<std::string>();
      if (auto ro = m.find("readonly"); ro != m.end() && !ro->is_null()) {
        if (!ro->is_boolean()) return FieldError(field + ".readonly", "must be true or false");
        r.readonly = ro->get<bool>();
      }
      out.mounts.push_back(std::move(r));
    }
  }

  if (auto it = spec.find("report"); it != spec.end() && !it->is_null()) {
    if (!it->is_string()) return FieldError("report", "must be a path");
    out.report = it->get<std::string>();
  }

  if (auto it = spec.find("max_runtime"); it != spec.end() && !it->is_null()) {
    if (it->is_number()) {
      const double seconds = it->get<double>();
      if (!(seconds >= 0)) return FieldError("max_runtime", "must not be negative");
      out.max_runtime = Nanos(static_cast<int64_t>(seconds * 1e9));
    } else if (it->is_string()) {
      Result<Nanos> d = ParseDuration(it->get<std::string>());
      if (!d.ok()) return FieldError("max_runtime", d.status().message());
      out.max_runtime = *d;
    } else {
      return FieldError("max_runtime", "must be a duration such as 2h");
    }
  }
  return out;
}

}  // namespace ava::agent
