#include "fs/errno_mapping.h"

#include <cerrno>

namespace ava::fs {

int ToErrno(const Status& status) {
  switch (status.subcode()) {
    case SubCode::kNone:
      break;
    case SubCode::kNotEmpty:
      return ENOTEMPTY;
    case SubCode::kIsDirectory:
      return EISDIR;
    case SubCode::kNotDirectory:
      return ENOTDIR;
    case SubCode::kCrossDevice:
      return EXDEV;
    case SubCode::kReadOnly:
      return EROFS;
  }
  switch (status.code()) {
    case Code::kOk:
      return 0;
    case Code::kNotFound:
      return ENOENT;
    case Code::kAlreadyExists:
      return EEXIST;
    case Code::kPermissionDenied:
    case Code::kUnauthenticated:
      return EACCES;
    case Code::kInvalidArgument:
      return EINVAL;
    case Code::kNoSpace:
      return ENOSPC;
    case Code::kResourceExhausted:
      return ENOMEM;
    case Code::kNotSupported:
      return ENOTSUP;
    case Code::kCancelled:
      return EINTR;
    case Code::kOutOfRange:
      return EINVAL;
    case Code::kFailedPrecondition:
    case Code::kUnavailable:
    case Code::kDeadlineExceeded:
    case Code::kCorruption:
    case Code::kIOError:
    case Code::kInternal:
      return EIO;
  }
  return EIO;
}

}  // namespace ava::fs
