#include "store/http_transport.h"

namespace ava::store {

const std::string* HttpResponse::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return &v;
  }
  return nullptr;
}

}  // namespace ava::store
