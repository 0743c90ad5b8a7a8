// Result<T>: a value or the Status that explains why there is none (after 3FS's Result and
// absl::StatusOr). An error Result never holds an OK status.
//
//   Result<ObjectInfo> info = store.Head(key);
//   if (!info.ok()) return info.status();
//   use(info->size);
//
//   AVA_ASSIGN_OR_RETURN(ObjectInfo info, store.Head(key));
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "common/status.h"

namespace ava {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<1>, std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::in_place_index<0>, std::move(status)) {  // NOLINT
    assert(!std::get<0>(v_).ok() && "an error Result needs an error Status");
    if (std::get<0>(v_).ok()) std::get<0>(v_) = Status::Internal("Result built from an OK status");
  }
  template <typename U, typename = std::enable_if_t<std::is_convertible_v<U, T> &&
                                                    !std::is_same_v<std::decay_t<U>, Status> &&
                                                    !std::is_same_v<std::decay_t<U>, Result>>>
  Result(U&& value) : v_(std::in_place_index<1>, T(std::forward<U>(value))) {}  // NOLINT

  bool ok() const { return v_.index() == 1; }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<0>(v_);
  }

  T& value() & {
    assert(ok());
    return std::get<1>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<1>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<1>(std::move(v_));
  }
  T value_or(T other) const& { return ok() ? std::get<1>(v_) : std::move(other); }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  void IgnoreError() const {}

 private:
  std::variant<Status, T> v_;
};

namespace internal {
template <typename T>
const Status& ToStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace ava

#define AVA_CONCAT_INNER_(a, b) a##b
#define AVA_CONCAT_(a, b) AVA_CONCAT_INNER_(a, b)
// `lhs` is a declaration ("auto x"), so it cannot be parenthesised; `tmp` is a generated name.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define AVA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
// Declare-and-assign from a Result, or return its error: AVA_ASSIGN_OR_RETURN(auto x, F());
#define AVA_ASSIGN_OR_RETURN(lhs, expr) \
  AVA_ASSIGN_OR_RETURN_IMPL_(AVA_CONCAT_(ava_result_, __LINE__), lhs, expr)
