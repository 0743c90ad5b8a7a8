#include "common/status.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace ava {

std::string_view CodeName(Code code) {
  switch (code) {
#define AVA_STATUS_NAME(name, text) \
  case Code::name:                  \
    return text;
    AVA_STATUS_CODES(AVA_STATUS_NAME)
#undef AVA_STATUS_NAME
  }
  return "Unknown";
}

Status Status::FromErrno(int err, std::string_view context) {
  std::string msg = fmt::format("{}: {}", context, std::strerror(err));
  switch (err) {
    case ENOENT:
      return NotFound(std::move(msg));
    case EEXIST:
      return AlreadyExists(std::move(msg));
    case EACCES:
    case EPERM:
      return PermissionDenied(std::move(msg));
    case ENOSPC:
    case EDQUOT:
      return NoSpace(std::move(msg));
    case EINVAL:
    case ENAMETOOLONG:
      return InvalidArgument(std::move(msg));
    case ENOTDIR:
    case EISDIR:
    case ENOTEMPTY:
      return FailedPrecondition(std::move(msg));
    case ENOMEM:
      return ResourceExhausted(std::move(msg));
    case EAGAIN:
    case EINTR:
    case EBUSY:
      return Unavailable(std::move(msg));
    case ETIMEDOUT:
      return DeadlineExceeded(std::move(msg));
    case ENOTSUP:
      return NotSupported(std::move(msg));
    default:
      return IOError(std::move(msg));
  }
}

Status Status::Retryable(bool value) const& {
  Status s = *this;
  s.retryable_ = value;
  return s;
}

Status Status::Retryable(bool value) && {
  retryable_ = value;
  return std::move(*this);
}

Status Status::DataLoss(bool value) && {
  data_loss_ = value;
  return std::move(*this);
}

Status Status::WithSubCode(SubCode sub) && {
  subcode_ = sub;
  return std::move(*this);
}

Status Status::Annotate(std::string_view context) const {
  if (ok()) return *this;
  Status s = *this;
  s.message_ = fmt::format("{}: {}", context, message_);
  return s;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out = fmt::format("{}: {}", CodeName(code_), message_);
  if (retryable_) out += " [retryable]";
  if (data_loss_) out += " [data loss]";
  return out;
}

std::ostream& operator<<(std::ostream& os, const Status& s) { return os << s.ToString(); }

}  // namespace ava
