#include "sched/quota.h"

#include <fmt/format.h>

namespace ava::sched {
namespace {

const QuotaLimit* Find(const std::map<std::string, QuotaLimit>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

int64_t Used(const std::map<std::string, int64_t>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

}  // namespace

std::string FormatGpus(int64_t gpu_milli) {
  if (gpu_milli % 1000 == 0) return fmt::format("{} GPU{}", gpu_milli / 1000, gpu_milli == 1000 ? "" : "s");
  return fmt::format("{:g} GPU{}", gpu_milli / 1000.0, gpu_milli < 1000 ? "" : "s");
}

Status QuotaBook::Check(const std::string& user, const std::string& group, int64_t gpu_milli) const {
  const struct {
    const char* kind;
    const std::string& name;
    const QuotaLimit* limit;
    int64_t used;
  } who[] = {{"group", group, Find(config_.groups, group), GroupUsage(group)},
             {"user", user, Find(config_.users, user), UserUsage(user)}};
  for (const auto& w : who) {
    if (w.limit == nullptr || w.limit->gpu_milli < 0) continue;
    if (w.used + gpu_milli > w.limit->gpu_milli) {
      return Status::ResourceExhausted(fmt::format("{} {} is at its quota of {} (holds {}, asks {})", w.kind,
                                                   w.name, FormatGpus(w.limit->gpu_milli), FormatGpus(w.used),
                                                   FormatGpus(gpu_milli)));
    }
  }
  return Status::OK();
}

Status QuotaBook::CheckEver(const std::string& user, const std::string& group, int64_t gpu_milli) const {
  const std::pair<std::string, const QuotaLimit*> who[] = {{"group " + group, Find(config_.groups, group)},
                                                           {"user " + user, Find(config_.users, user)}};
  for (const auto& [name, limit] : who) {
    if (limit == nullptr || limit->gpu_milli < 0 || gpu_milli <= limit->gpu_milli) continue;
    return Status::ResourceExhausted(fmt::format("{}'s quota of {} can never cover {}", name,
                                                 FormatGpus(limit->gpu_milli), FormatGpus(gpu_milli)));
  }
  return Status::OK();
}

uint64_t QuotaBook::AllowedModels(const Cluster& cluster, const std::string& user, const std::string& group,
                                  int64_t gpu_milli, std::string* why) const {
  uint64_t mask = kAnyModel;
  const std::string* names[] = {&group, &user};
  const std::map<std::string, QuotaLimit>* limits[] = {&config_.groups, &config_.users};
  const std::map<std::string, Usage>* usage[] = {&groups_, &users_};
  const char* kinds[] = {"group", "user"};
  for (int w = 0; w < 2; ++w) {
    const QuotaLimit* limit = Find(*limits[w], *names[w]);
    if (limit == nullptr) continue;
    auto u = usage[w]->find(*names[w]);
    for (const auto& [model, cap] : limit->model_gpu_milli) {
      const int64_t used = u == usage[w]->end() ? 0 : Used(u->second.by_model, model);
      if (used + gpu_milli <= cap) continue;
      const int id = cluster.ModelId(model);
      if (id >= 0) mask &= ~(uint64_t{1} << id);
      if (why != nullptr && why->empty()) {
        *why = fmt::format("{} {} is at its quota of {} {} (holds {})", kinds[w], *names[w], FormatGpus(cap),
                           model, FormatGpus(used));
      }
    }
  }
  return mask;
}

void QuotaBook::Charge(const std::string& user, const std::string& group, const std::string& model,
                       int64_t gpu_milli) {
  for (Usage* u : {&users_[user], &groups_[group]}) {
    u->total += gpu_milli;
    u->by_model[model] += gpu_milli;
  }
}

void QuotaBook::Refund(const std::string& user, const std::string& group, const std::string& model,
                       int64_t gpu_milli) {
  Charge(user, group, model, -gpu_milli);
}

int64_t QuotaBook::GroupUsage(const std::string& group) const {
  auto it = groups_.find(group);
  return it == groups_.end() ? 0 : it->second.total;
}

int64_t QuotaBook::UserUsage(const std::string& user) const {
  auto it = users_.find(user);
  return it == users_.end() ? 0 : it->second.total;
}

}  // namespace ava::sched
