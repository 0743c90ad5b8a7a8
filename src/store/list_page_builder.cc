#include "store/list_page_builder.h"

#include <algorithm>

namespace ava::store {

Status ValidateListRequest(const ListRequest& request) {
  if (request.max_keys < 1 || request.max_keys > 1000) {
    return Status::InvalidArgument("list max_keys must be 1..1000, got " + std::to_string(request.max_keys));
  }
  if (!request.start_token.empty() && !request.start_token.starts_with(request.prefix)) {
    return Status::InvalidArgument("list token '" + request.start_token + "' does not belong to prefix '" +
                                   request.prefix + "'");
  }
  return Status::OK();
}

std::string PrefixSuccessor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty()) {
    auto last = static_cast<unsigned char>(out.back());
    if (last != 0xff) {
      out.back() = static_cast<char>(last + 1);
      return out;
    }
    out.pop_back();
  }
  return out;
}

Result<ListPage> BuildListPage(const ListRequest& request, SortedKeyCursor& cursor) {
  AVA_RETURN_IF_ERROR(ValidateListRequest(request));
  const std::string& prefix = request.prefix;
  const std::string& delim = request.delimiter;

  ListPage page;
  std::string start = prefix;
  if (!request.start_token.empty()) {
    const std::string& token = request.start_token;
    bool token_is_prefix = !delim.empty() && token.find(delim, prefix.size()) != std::string::npos;
    std::string after = token_is_prefix ? PrefixSuccessor(token) : token + '\0';
    if (after.empty()) return page;  // nothing sorts after a prefix of all 0xff bytes
    start = std::max(start, after);
  }
  AVA_RETURN_IF_ERROR(cursor.Seek(start));

  int count = 0;
  std::string last;
  while (cursor.Valid()) {
    const std::string& key = cursor.key();
    if (!key.starts_with(prefix)) break;
    size_t pos = delim.empty() ? std::string::npos : key.find(delim, prefix.size());
    if (count == request.max_keys) {
      page.next_token = last;
      break;
    }
    if (pos != std::string::npos) {
      std::string common = key.substr(0, pos + delim.size());
      std::string next = PrefixSuccessor(common);
      page.common_prefixes.push_back(common);
      last = std::move(common);
      ++count;
      if (next.empty()) break;
      AVA_RETURN_IF_ERROR(cursor.Seek(next));
      continue;
    }
    Result<ObjectInfo> info = cursor.Info();
    if (info.ok()) {
      page.objects.push_back(std::move(info).value());
      last = key;
      ++count;
    } else if (!info.status().IsNotFound()) {
      return info.status();
    }
    AVA_RETURN_IF_ERROR(cursor.Next());
  }
  return page;
}

}  // namespace ava::store
