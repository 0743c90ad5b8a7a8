#include "api/job_spec.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>

#include "common/units.h"
#include "common/yaml_config.h"
#include "gpu/node_inventory.h"

namespace ava::api {
namespace {

constexpr Nanos kMaxDuration = std::chrono::hours(24 * 366);
constexpr int64_t kMaxCpuMilli = 4096 * 1000;
constexpr size_t kMaxNameBytes = 128;

// Thrown inside the parser only, caught in ParseJobSpec: a field and what is wrong with it.
struct SpecError {
  std::string field;
  std::string message;
};

[[noreturn]] void Fail(std::string field, std::string message) {
  throw SpecError{std::move(field), std::move(message)};
}

std::string Join(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
}

void CheckKnownKeys(const YAML::Node& map, std::string_view prefix,
                    std::initializer_list<std::string_view> known) {
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) Fail(std::string(prefix), "keys must be plain names");
    const std::string key = kv.first.Scalar();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string_view best;
    size_t best_d = 3;
    for (std::string_view k : known) {
      size_t d = EditDistance(key, k);
      if (d < best_d) {
        best_d = d;
        best = k;
      }
    }
    const std::string hint = best.empty() ? fmt::format(" (known fields: {})", fmt::join(known, ", "))
                                          : fmt::format(" (did you mean '{}'?)", best);
    Fail(Join(prefix, key), fmt::format("unknown field '{}'{}", Join(prefix, key), hint));
  }
}

// A present, non-null value of `map`, or an undefined node.
YAML::Node Get(const YAML::Node& map, std::string_view key) {
  YAML::Node v = map[std::string(key)];
  if (!v.IsDefined() || v.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
  return v;
}

std::string Scalar(const YAML::Node& v, const std::string& field, std::string_view what) {
  if (!v.IsScalar()) Fail(field, fmt::format("{} must be {}", field, what));
  return v.Scalar();
}

bool HasControl(std::string_view s, bool allow_newlines) {
  for (unsigned char c : s) {
    if (c == 0x7f || (c < 0x20 && !(allow_newlines && (c == '\n' || c == '\t' || c == '\r')))) return true;
  }
  return false;
}

int64_t Integer(const YAML::Node& v, const std::string& field, int64_t lo, int64_t hi,
                std::string_view what) {
  const std::string text = Scalar(v, field, what);
  size_t used = 0;
  long long n = 0;
  bool ok = !text.empty();
  if (ok) {
    try {
      n = std::stoll(text, &used, 10);
    } catch (...) {
      ok = false;
    }
  }
  if (!ok || used != text.size() || n < lo || n > hi) {
    Fail(field, fmt::format("{} must be {} (got '{}')", field, what, text));
  }
  return n;
}

bool Boolean(const YAML::Node& v, const std::string& field) {
  const std::string text = Scalar(v, field, "true or false");
  if (text == "true" || text == "True" || text == "yes") return true;
  if (text == "false" || text == "False" || text == "no") return false;
  Fail(field, fmt::format("{} must be true or false (got '{}')", field, text));
}

Nanos Duration(const YAML::Node& v, const std::string& field) {
  const std::string text = Scalar(v, field, "a duration such as 30m or 2h");
  Result<Nanos> d = ParseDuration(text);
  if (!d.ok()) Fail(field, fmt::format("{}: {}", field, d.status().message()));
  if (d->count() <= 0 || *d > kMaxDuration) {
    Fail(field, fmt::format("{} must be more than 0 and at most 366d (got '{}')", field, text));
  }
  return *d;
}

std::string AbsolutePath(const YAML::Node& v, const std::string& field) {
  std::string p = Scalar(v, field, "an absolute path");
  if (p.empty() || p.front() != '/' || HasControl(p, false) || p.size() > 4096) {
    Fail(field, fmt::format("{} must be an absolute path (got '{}')", field, p));
  }
  return p;
}

void ParseCommand(const YAML::Node& v, JobSpec* spec) {
  if (v.IsScalar()) {
    if (v.Scalar().empty()) Fail("command", "command must not be empty");
    spec->command = {v.Scalar()};
    spec->shell = true;
    return;
  }
  if (!v.IsSequence()) Fail("command", "command must be a list of arguments or a string for /bin/sh -c");
  if (v.size() == 0) Fail("command", "command must not be empty");
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string f = fmt::format("command[{}]", i);
    spec->command.push_back(Scalar(v[i], f, "a string"));
  }
  if (spec->command.front().empty()) Fail("command[0]", "command[0], the program, must not be empty");
  spec->shell = false;
}

void ParseEnv(const YAML::Node& v, JobSpec* spec) {
  if (!v.IsMap()) Fail("env", "env must be a mapping of NAME: value");
  for (const auto& kv : v) {
    if (!kv.first.IsScalar()) Fail("env", "env names must be plain strings");
    const std::string name = kv.first.Scalar();
    const std::string field = Join("env", name);
    bool valid = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
    for (char c : name) valid &= std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
    if (!valid) Fail(field, fmt::format("'{}' is not a valid environment variable name", name));
    if (kv.second.IsNull()) {
      spec->env[name] = "";
      continue;
    }
    std::string value = Scalar(kv.second, field, "a string");
    if (value.find('\0') != std::string::npos) Fail(field, fmt::format("{} contains a NUL byte", field));
    spec->env[name] = std::move(value);
  }
}

void ParseResources(const YAML::Node& v, JobSpec* spec) {
  if (!v.IsMap()) Fail("resources", "resources must be a mapping (gpus, gpu_milli, gpu_model, cpus, memory)");
  CheckKnownKeys(v, "resources", {"gpus", "gpu_milli", "gpu_model", "cpus", "memory"});
  const YAML::Node gpus = Get(v, "gpus");
  const YAML::Node milli = Get(v, "gpu_milli");
  if (gpus.IsDefined()) {
    spec->gpus =
        static_cast<int>(Integer(gpus, "resources.gpus", 0, gpu::kMaxGpusPerNode,
                                 fmt::format("a whole number of GPUs, 0..{}", gpu::kMaxGpusPerNode)));
  }
  if (milli.IsDefined()) {
    const int m = static_cast<int>(Integer(milli, "resources.gpu_milli", 1, sched::kMilliPerGpu,
                                           "a share of one GPU in milli-GPUs, 1..1000"));
    if (gpus.IsDefined() && spec->gpus != 1) {
      Fail("resources.gpu_milli",
           fmt::format("resources.gpu_milli is a share of one GPU; it cannot be combined with gpus: {}",
                       spec->gpus));
    }
    spec->gpus = 1;
    spec->gpu_milli = m;
  }
  const YAML::Node model = Get(v, "gpu_model");
  if (model.IsDefined()) {
    const std::string text =
        Scalar(model, "resources.gpu_model", "a GPU model such as V100 or \"V100|A100\"");
    if (!text.empty() && text != "*") {
      size_t start = 0;
      while (true) {
        size_t bar = text.find('|', start);
        std::string m = text.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
        if (m.empty() || m == "*" || HasControl(m, false) || m.size() > 64) {
          Fail("resources.gpu_model",
               fmt::format("resources.gpu_model '{}' must be model names separated by '|' (e.g. V100|A100)",
                           text));
        }
        if (std::find(spec->gpu_models.begin(), spec->gpu_models.end(), m) == spec->gpu_models.end()) {
          spec->gpu_models.push_back(m);
        }
        if (bar == std::string::npos) break;
        start = bar + 1;
      }
    }
  }
  const YAML::Node cpus = Get(v, "cpus");
  if (cpus.IsDefined()) {
    const std::string text = Scalar(cpus, "resources.cpus", "a number of cores such as 2 or 0.5");
    char* end = nullptr;
    const double c = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(c) || c < 0 || c * 1000 > kMaxCpuMilli) {
      Fail("resources.cpus", fmt::format("resources.cpus must be a number of cores 0..{} (got '{}')",
                                         kMaxCpuMilli / 1000, text));
    }
    spec->cpu_milli = std::llround(c * 1000);
  }
  const YAML::Node memory = Get(v, "memory");
  if (memory.IsDefined()) {
    const std::string text = Scalar(memory, "resources.memory", "a size such as 4GiB");
    Result<uint64_t> b = ParseBytes(text);
    if (!b.ok()) Fail("resources.memory", fmt::format("resources.memory: {}", b.status().message()));
    if (*b > (uint64_t{1} << 50)) Fail("resources.memory", "resources.memory is larger than any machine");
    spec->memory_bytes = *b;
  }
  if (spec->gpus == 0 && !spec->gpu_models.empty()) {
    Fail("resources.gpu_model", "resources.gpu_model is given but the job asks for no GPUs");
  }
}

void ParseMounts(const YAML::Node& v, JobSpec* spec) {
  if (!v.IsSequence()) Fail("mounts", "mounts must be a list of {path, source, readonly}");
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string prefix = fmt::format("mounts[{}]", i);
    const YAML::Node m = v[i];
    if (!m.IsMap()) Fail(prefix, fmt::format("{} must be a mapping {{path, source, readonly}}", prefix));
    CheckKnownKeys(m, prefix, {"path", "source", "readonly"});
    JobMount mount;
    const YAML::Node path = Get(m, "path");
    if (!path.IsDefined()) Fail(prefix + ".path", fmt::format("{}.path is required", prefix));
    mount.path = AbsolutePath(path, prefix + ".path");
    const YAML::Node source = Get(m, "source");
    if (!source.IsDefined()) Fail(prefix + ".source", fmt::format("{}.source is required", prefix));
    mount.source = Scalar(source, prefix + ".source", "the name of a mount of the agent's avafs table");
    if (mount.source.empty() || HasControl(mount.source, false)) {
      Fail(prefix + ".source",
           fmt::format("{}.source must be a mount name such as dataset/fashion-mnist", prefix));
    }
    const YAML::Node ro = Get(m, "readonly");
    if (ro.IsDefined()) mount.readonly = Boolean(ro, prefix + ".readonly");
    for (const JobMount& other : spec->mounts) {
      if (other.path == mount.path) Fail(prefix + ".path", fmt::format("two mounts at {}", mount.path));
    }
    spec->mounts.push_back(std::move(mount));
  }
}

void ParseRoot(const YAML::Node& root, std::optional<db::JobKind> forced_kind, JobSpec* spec) {
  if (!root.IsMap()) Fail("", "a job spec is a mapping (name, command, resources, …)");
  CheckKnownKeys(root, "",
                 {"name", "kind", "command", "workdir", "env", "resources", "gang", "priority", "max_runtime",
                  "mounts", "report", "idle_timeout", "group"});
  const YAML::Node kind = Get(root, "kind");
  if (kind.IsDefined()) {
    Result<db::JobKind> k = db::ParseJobKind(Scalar(kind, "kind", "job or workspace"));
    if (!k.ok()) Fail("kind", fmt::format("kind: {}", k.status().message()));
    spec->kind = *k;
  }
  if (forced_kind.has_value()) {
    if (kind.IsDefined() && spec->kind != *forced_kind) {
      Fail("kind", fmt::format("kind is {} but this endpoint takes {} specs", db::Name(spec->kind),
                               db::Name(*forced_kind)));
    }
    spec->kind = *forced_kind;
  }
  const bool workspace = spec->kind == db::JobKind::kWorkspace;

  const YAML::Node name = Get(root, "name");
  spec->name = name.IsDefined() ? Scalar(name, "name", "a string") : std::string(db::Name(spec->kind));
  if (spec->name.empty() || spec->name.size() > kMaxNameBytes || HasControl(spec->name, false)) {
    Fail("name", fmt::format("name must be 1..{} printable characters", kMaxNameBytes));
  }

  const YAML::Node command = Get(root, "command");
  if (command.IsDefined()) {
    ParseCommand(command, spec);
  } else if (workspace) {
    spec->command = {"sleep", "infinity"};
  } else {
    Fail("command", "command is required: the program and its arguments, e.g. [\"python3\", \"train.py\"]");
  }

  const YAML::Node workdir = Get(root, "workdir");
  if (workdir.IsDefined()) spec->workdir = AbsolutePath(workdir, "workdir");
  const YAML::Node env = Get(root, "env");
  if (env.IsDefined()) ParseEnv(env, spec);
  const YAML::Node resources = Get(root, "resources");
  if (resources.IsDefined()) ParseResources(resources, spec);
  const YAML::Node gang = Get(root, "gang");
  if (gang.IsDefined()) {
    spec->gang = static_cast<int>(Integer(gang, "gang", 1, kMaxGang, fmt::format("1..{} members", kMaxGang)));
  }
  const YAML::Node priority = Get(root, "priority");
  if (priority.IsDefined()) {
    spec->priority = static_cast<int>(Integer(priority, "priority", -kMaxPriority, kMaxPriority,
                                              fmt::format("an integer -{0}..{0}", kMaxPriority)));
  }
  const YAML::Node max_runtime = Get(root, "max_runtime");
  if (max_runtime.IsDefined()) spec->max_runtime = Duration(max_runtime, "max_runtime");
  const YAML::Node mounts = Get(root, "mounts");
  if (mounts.IsDefined()) ParseMounts(mounts, spec);
  const YAML::Node report = Get(root, "report");
  if (report.IsDefined()) spec->report = AbsolutePath(report, "report");
  const YAML::Node idle = Get(root, "idle_timeout");
  if (idle.IsDefined()) {
    if (!workspace) Fail("idle_timeout", "idle_timeout applies to workspaces only (kind: workspace)");
    spec->idle_timeout = Duration(idle, "idle_timeout");
  } else if (workspace) {
    spec->idle_timeout = kDefaultIdleTimeout;
  }
  const YAML::Node group = Get(root, "group");
  if (group.IsDefined()) {
    spec->group = Scalar(group, "group", "a group name");
    if (spec->group.empty()) Fail("group", "group must not be empty");
  }
  if (workspace && spec->gang != 1) Fail("gang", "a workspace runs on one node (gang: 1)");
  sched::Request r = spec->MemberRequest();
  Status valid = r.Validate();
  if (!valid.ok()) Fail("resources", fmt::format("resources: {}", valid.message()));
}

// A duration ParseDuration reads back exactly: whole seconds, else milliseconds, else nanoseconds.
std::string SpecDuration(Nanos d) {
  const int64_t ns = d.count();
  if (ns % 1000000000 == 0) return fmt::format("{}s", ns / 1000000000);
  if (ns % 1000000 == 0) return fmt::format("{}ms", ns / 1000000);
  return fmt::format("{}ns", ns);
}

}  // namespace

sched::Request JobSpec::MemberRequest() const {
  sched::Request r;
  r.gpus = gpus;
  r.gpu_milli = gpus > 0 ? gpu_milli : sched::kMilliPerGpu;
  r.gpu_models = gpu_models;
  r.cpu_milli = cpu_milli;
  r.memory_bytes = memory_bytes;
  return r;
}

std::string JobSpec::GpuModelText() const {
  if (gpu_models.empty()) return "*";
  return fmt::format("{}", fmt::join(gpu_models, "|"));
}

double JobSpec::GpusPerMember() const {
  if (gpus == 0) return 0;
  return gpu_milli < sched::kMilliPerGpu ? gpu_milli / 1000.0 : gpus;
}

Status CheckNesting(std::string_view text, int max_depth) {
  int depth = 0;
  char quote = 0;
  bool comment = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (comment) {
      comment = c != '\n';
      continue;
    }
    if (quote != 0) {
      if (c == '\\' && quote == '"') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#') {
      comment = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return Status::InvalidArgument(fmt::format("the body nests deeper than {} levels", max_depth));
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return Status::OK();
}

Status ParseJobSpec(std::string_view text, std::optional<db::JobKind> forced_kind, JobSpec* out,
                    std::string* field) {
  field->clear();
  if (text.size() > kMaxSpecBytes) {
    return Status::InvalidArgument(
        fmt::format("the job spec is {} bytes; at most {} allowed", text.size(), kMaxSpecBytes));
  }
  AVA_RETURN_IF_ERROR(CheckNesting(text));
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("the job spec is not valid YAML or JSON: line {}, column {}: {}", e.mark.line + 1,
                    e.mark.column + 1, e.msg));
  } catch (...) {
    return Status::InvalidArgument("the job spec is not valid YAML or JSON");
  }
  JobSpec spec;
  try {
    ParseRoot(root, forced_kind, &spec);
  } catch (const SpecError& e) {
    *field = e.field;
    return Status::InvalidArgument(e.message);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(fmt::format("the job spec could not be read: {}", e.msg));
  } catch (...) {
    return Status::InvalidArgument("the job spec could not be read");
  }
  *out = std::move(spec);
  return Status::OK();
}

nlohmann::json JobSpecToJson(const JobSpec& spec) {
  using nlohmann::json;
  json j;
  j["name"] = spec.name;
  j["kind"] = std::string(db::Name(spec.kind));
  if (spec.shell) {
    j["command"] = spec.command.empty() ? std::string() : spec.command.front();
  } else {
    j["command"] = spec.command;
  }
  if (!spec.workdir.empty()) j["workdir"] = spec.workdir;
  j["env"] = json::object();
  for (const auto& [k, v] : spec.env) j["env"][k] = v;
  json res = {{"gpus", spec.gpus},
              {"gpu_model", spec.gpu_models.empty() ? std::string() : spec.GpuModelText()},
              {"cpus", static_cast<double>(spec.cpu_milli) / 1000.0},
              {"memory", spec.memory_bytes}};
  if (spec.gpus == 1 && spec.gpu_milli < sched::kMilliPerGpu) res["gpu_milli"] = spec.gpu_milli;
  j["resources"] = std::move(res);
  j["gang"] = spec.gang;
  j["priority"] = spec.priority;
  if (spec.max_runtime.count() > 0) j["max_runtime"] = SpecDuration(spec.max_runtime);
  j["mounts"] = json::array();
  for (const JobMount& m : spec.mounts) {
    j["mounts"].push_back({{"path", m.path}, {"source", m.source}, {"readonly", m.readonly}});
  }
  if (!spec.report.empty()) j["report"] = spec.report;
  if (spec.kind == db::JobKind::kWorkspace && spec.idle_timeout.count() > 0) {
    j["idle_timeout"] = SpecDuration(spec.idle_timeout);
  }
  if (!spec.group.empty()) j["group"] = spec.group;
  return j;
}

}  // namespace ava::api
