#include "fs/overlay_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace ava::fs {

std::string OverlayStore::Describe() const {
  return cloud_ == nullptr ? durable_->Describe()
                           : fmt::format("{}+{}", durable_->Describe(), cloud_->Describe());
}

store::ObjectStore* OverlayStore::Route(const std::string& key) const {
  if (index_->DurableSize(key).has_value()) return durable_;
  if (cloud_ == nullptr || index_->IsWhiteout(key)) return nullptr;
  return cloud_;
}

Result<store::ObjectInfo> OverlayStore::Head(const std::string& key) {
  store::ObjectStore* s = Route(key);
  if (s == nullptr) return Status::NotFound(key);
  Result<store::ObjectInfo> r = s->Head(key);
  // The durable copy may have been evicted a moment ago; the cloud has it then.
  if (!r.ok() && r.status().IsNotFound() && s == durable_ && cloud_ != nullptr && !index_->IsWhiteout(key)) {
    return cloud_->Head(key);
  }
  return r;
}

Result<store::GetResult> OverlayStore::Get(const store::GetRequest& request) {
  store::ObjectStore* s = Route(request.key);
  if (s == nullptr) return Status::NotFound(request.key);
  Result<store::GetResult> r = s->Get(request);
  if (!r.ok() && r.status().IsNotFound() && s == durable_ && cloud_ != nullptr &&
      !index_->IsWhiteout(request.key)) {
    return cloud_->Get(request);
  }
  return r;
}

Result<bool> OverlayStore::PrefixVisible(const std::string& prefix) {
  store::ListRequest req;
  req.prefix = prefix;
  AVA_ASSIGN_OR_RETURN(store::ListPage d, store::ListAll(*durable_, req));
  if (!d.objects.empty()) return true;
  AVA_ASSIGN_OR_RETURN(store::ListPage c, store::ListAll(*cloud_, req));
  for (const auto& o : c.objects) {
    if (!index_->IsWhiteout(o.key)) return true;
  }
  return false;
}

Result<store::ListPage> OverlayStore::List(const store::ListRequest& request) {
  store::ListRequest all = request;
  all.start_token.clear();
  AVA_ASSIGN_OR_RETURN(store::ListPage upper, store::ListAll(*durable_, all));
  if (cloud_ == nullptr) return upper;
  AVA_ASSIGN_OR_RETURN(store::ListPage lower, store::ListAll(*cloud_, all));
  std::map<std::string, store::ObjectInfo> objects;
  for (auto& o : lower.objects) {
    if (!index_->IsWhiteout(o.key)) objects[o.key] = std::move(o);
  }
  for (auto& o : upper.objects) objects[o.key] = std::move(o);  // the durable copy is newer
  std::set<std::string> prefixes(upper.common_prefixes.begin(), upper.common_prefixes.end());
  for (auto& p : lower.common_prefixes) {
    if (prefixes.count(p) > 0) continue;
    if (index_->IsWhiteout(p) || index_->AnyWhiteoutUnder(p)) {
      AVA_ASSIGN_OR_RETURN(bool visible, PrefixVisible(p));
      if (!visible) continue;
    }
    prefixes.insert(p);
  }
  store::ListPage out;
  out.objects.reserve(objects.size());
  for (auto& [k, o] : objects) out.objects.push_back(std::move(o));
  out.common_prefixes.assign(prefixes.begin(), prefixes.end());
  return out;
}

Result<store::ListPage> OverlayStore::ListDurable(const store::ListRequest& request) {
  store::ListRequest all = request;
  all.start_token.clear();
  return store::ListAll(*durable_, all);
}

Result<store::ObjectInfo> OverlayStore::Put(const std::string& key, std::string_view) {
  return Status::NotSupported(fmt::format("{}: writes go through the write-back layer", key));
}

Result<std::unique_ptr<store::MultipartUpload>> OverlayStore::StartMultipart(const std::string& key) {
  return Status::NotSupported(fmt::format("{}: writes go through the write-back layer", key));
}

Status OverlayStore::Delete(const std::string& key) {
  return Status::NotSupported(fmt::format("{}: deletes go through the write-back layer", key));
}

Result<store::ObjectInfo> OverlayStore::Copy(const std::string& src, const std::string&) {
  return Status::NotSupported(fmt::format("{}: copies go through the write-back layer", src));
}

}  // namespace ava::fs
