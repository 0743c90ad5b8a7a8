#include "store/object_store.h"

#include <algorithm>
#include <utility>

namespace ava::store {

Result<ListPage> ListAll(ObjectStore& store, ListRequest request) {
  ListPage all;
  while (true) {
    AVA_ASSIGN_OR_RETURN(ListPage page, store.List(request));
    for (ObjectInfo& o : page.objects) all.objects.push_back(std::move(o));
    for (std::string& p : page.common_prefixes) all.common_prefixes.push_back(std::move(p));
    if (page.next_token.empty()) break;
    if (page.next_token == request.start_token) {
      return Status::Internal(store.Describe() + ": list returned the same continuation token twice");
    }
    request.start_token = std::move(page.next_token);
  }
  return all;
}

}  // namespace ava::store

namespace ava::store {

Status ValidateKey(std::string_view key) {
  if (key.empty()) return Status::InvalidArgument("object key is empty");
  if (key.size() > 1024) {
    return Status::InvalidArgument("object key is " + std::to_string(key.size()) +
                                   " bytes long; the limit is 1024: '" + std::string(key.substr(0, 64)) +
                                   "...'");
  }
  if (key.front() == '/')
    return Status::InvalidArgument("object key '" + std::string(key) + "' starts with '/'");
  if (key.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("object key '" + std::string(key.substr(0, key.find('\0'))) +
                                   "...' contains a NUL byte");
  }
  return Status::OK();
}

Result<ByteRange> ResolveRange(const GetRequest& request, uint64_t object_size) {
  if (request.suffix_length.has_value() && *request.suffix_length == 0) {
    return Status::InvalidArgument("get " + request.key + ": suffix range of 0 bytes");
  }
  if (object_size == 0) return ByteRange{0, 0};
  if (request.suffix_length.has_value()) {
    uint64_t n = std::min(*request.suffix_length, object_size);
    return ByteRange{object_size - n, n};
  }
  if (request.offset >= object_size) {
    return Status::OutOfRange("get " + request.key + ": offset " + std::to_string(request.offset) +
                              " is at or past the end of the object (" + std::to_string(object_size) +
                              " bytes)");
  }
  uint64_t available = object_size - request.offset;
  uint64_t length = request.length.has_value() ? std::min(*request.length, available) : available;
  return ByteRange{request.offset, length};
}

namespace {
std::string_view Unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}
}  // namespace

bool EtagsMatch(std::string_view a, std::string_view b) { return Unquote(a) == Unquote(b); }

}  // namespace ava::store
