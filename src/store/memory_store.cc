#include "store/memory_store.h"

#include <mutex>
#include <utility>
#include <vector>

#include "store/list_page_builder.h"
#include "store/md5.h"

namespace ava::store {

class MemoryMultipartUpload final : public MultipartUpload {
 public:
  MemoryMultipartUpload(MemoryStore* store, std::string key) : store_(store), key_(std::move(key)) {}

  Status UploadPart(int part_number, std::string_view data) override {
    if (part_number < 1 || part_number > 10000) {
      return Status::InvalidArgument("multipart " + key_ + ": part number " + std::to_string(part_number) +
                                     " is outside 1..10000");
    }
    std::lock_guard lock(mu_);
    if (done_)
      return Status::FailedPrecondition("multipart " + key_ + ": upload already completed or aborted");
    parts_[part_number] = std::string(data);
    return Status::OK();
  }

  Result<ObjectInfo> Complete() override {
    std::lock_guard lock(mu_);
    if (done_)
      return Status::FailedPrecondition("multipart " + key_ + ": upload already completed or aborted");
    if (parts_.empty()) return Status::InvalidArgument("multipart " + key_ + ": complete with no parts");
    size_t total = 0;
    for (const auto& [n, part] : parts_) total += part.size();
    auto data = std::make_shared<std::string>();
    data->reserve(total);
    std::vector<Md5Digest> digests;
    for (const auto& [n, part] : parts_) {
      data->append(part);
      digests.push_back(Md5Of(part));
    }
    done_ = true;
    parts_.clear();
    return store_->Store(key_, std::move(data), MultipartEtag(digests));
  }

  Status Abort() override {
    std::lock_guard lock(mu_);
    done_ = true;
    parts_.clear();
    return Status::OK();
  }

 private:
  MemoryStore* const store_;
  const std::string key_;
  std::mutex mu_;
  bool done_ GUARDED_BY(mu_) = false;
  std::map<int, std::string> parts_ GUARDED_BY(mu_);
};

// Walks the object map under the store's shared lock, which the caller holds.
class MemoryStore::Cursor final : public SortedKeyCursor {
 public:
  explicit Cursor(const std::map<std::string, Object, std::less<>>& objects) : objects_(objects) {}
  Status Seek(std::string_view target) override {
    it_ = objects_.lower_bound(target);
    return Status::OK();
  }
  bool Valid() const override { return it_ != objects_.end(); }
  const std::string& key() const override { return it_->first; }
  Status Next() override {
    ++it_;
    return Status::OK();
  }
  Result<ObjectInfo> Info() override { return InfoOf(it_->first, it_->second); }

 private:
  const std::map<std::string, Object, std::less<>>& objects_;
  std::map<std::string, Object, std::less<>>::const_iterator it_;
};

MemoryStore::MemoryStore(std::string name, Clock* clock)
    : name_(std::move(name)), clock_(clock != nullptr ? clock : &system_clock_) {}

std::string MemoryStore::Describe() const { return "mem://" + name_; }

ObjectInfo MemoryStore::InfoOf(const std::string& key, const Object& o) {
  return ObjectInfo{key, o.data->size(), o.etag, o.mtime_ns};
}

ObjectInfo MemoryStore::Store(const std::string& key, std::shared_ptr<const std::string> data,
                              std::string etag) {
  Object o{std::move(data), std::move(etag), clock_->WallNow().count()};
  ObjectInfo info = InfoOf(key, o);
  std::unique_lock lock(mu_);
  objects_.insert_or_assign(key, std::move(o));
  return info;
}

Result<ObjectInfo> MemoryStore::Head(const std::string& key) {
  AVA_RETURN_IF_ERROR(ValidateKey(key));
  std::shared_lock lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return Status::NotFound(Describe() + "/" + key);
  return InfoOf(key, it->second);
}

Result<GetResult> MemoryStore::Get(const GetRequest& request) {
  AVA_RETURN_IF_ERROR(ValidateKey(request.key));
  Object o;
  {
    std::shared_lock lock(mu_);
    auto it = objects_.find(request.key);
    if (it == objects_.end()) return Status::NotFound(Describe() + "/" + request.key);
    o = it->second;
  }
  if (!request.if_match.empty() && !EtagsMatch(request.if_match, o.etag)) {
    return Status::FailedPrecondition(Describe() + "/" + request.key + ": etag is " + o.etag + ", not " +
                                      request.if_match);
  }
  AVA_ASSIGN_OR_RETURN(ByteRange range, ResolveRange(request, o.data->size()));
  GetResult result;
  result.info = InfoOf(request.key, o);
  result.offset = range.offset;
  result.data.assign(*o.data, range.offset, range.length);
  return result;
}

Result<ListPage> MemoryStore::List(const ListRequest& request) {
  std::shared_lock lock(mu_);
  Cursor cursor(objects_);
  return BuildListPage(request, cursor);
}

Result<ObjectInfo> MemoryStore::Put(const std::string& key, std::string_view data) {
  AVA_RETURN_IF_ERROR(ValidateKey(key));
  return Store(key, std::make_shared<const std::string>(data), Md5Hex(data));
}

Result<std::unique_ptr<MultipartUpload>> MemoryStore::StartMultipart(const std::string& key) {
  AVA_RETURN_IF_ERROR(ValidateKey(key));
  return std::unique_ptr<MultipartUpload>(std::make_unique<MemoryMultipartUpload>(this, key));
}

Status MemoryStore::Delete(const std::string& key) {
  AVA_RETURN_IF_ERROR(ValidateKey(key));
  std::unique_lock lock(mu_);
  objects_.erase(key);
  return Status::OK();
}

Result<ObjectInfo> MemoryStore::Copy(const std::string& src, const std::string& dst) {
  AVA_RETURN_IF_ERROR(ValidateKey(src));
  AVA_RETURN_IF_ERROR(ValidateKey(dst));
  Object o;
  {
    std::shared_lock lock(mu_);
    auto it = objects_.find(src);
    if (it == objects_.end()) return Status::NotFound("copy from " + Describe() + "/" + src);
    o = it->second;
  }
  return Store(dst, std::move(o.data), std::move(o.etag));
}

size_t MemoryStore::ObjectCount() const {
  std::shared_lock lock(mu_);
  return objects_.size();
}

uint64_t MemoryStore::TotalBytes() const {
  std::shared_lock lock(mu_);
  uint64_t total = 0;
  for (const auto& [key, o] : objects_) total += o.data->size();
  return total;
}

}  // namespace ava::store
