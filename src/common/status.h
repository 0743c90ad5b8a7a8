// Status: the outcome of an operation that can fail. OK carries nothing; an error carries a code from
// the closed table below, a message for people, and two flags that callers act on without parsing
// strings: `retryable` (trying the same call again may succeed: timeouts, throttling, 5xx) and
// `data_loss` (bytes that were promised durable are gone or wrong).
//
// Exactly one function maps a Code to an errno (fs/errno_mapping.h) and exactly one maps it to an
// HTTP status (api/). No exception crosses a FUSE callback, a thread or the HTTP edge: errors travel
// as Status / Result<T>.
//
// Thread safety: a Status is a value; const methods are safe to call concurrently.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace ava {

// X(name, text). The table is closed: add a code here, in the errno mapping and in the HTTP mapping.
#define AVA_STATUS_CODES(X)                                                                        \
  X(kOk, "OK")                                                                                     \
  X(kInvalidArgument, "InvalidArgument")       /* the caller sent something malformed */           \
  X(kNotFound, "NotFound")                     /* the named thing does not exist */                \
  X(kAlreadyExists, "AlreadyExists")           /* create of something that exists */               \
  X(kPermissionDenied, "PermissionDenied")     /* authenticated, but not allowed */                \
  X(kUnauthenticated, "Unauthenticated")       /* missing or bad credentials */                    \
  X(kResourceExhausted, "ResourceExhausted")   /* a quota, a memory bound or a rate limit */       \
  X(kNoSpace, "NoSpace")                       /* a disk or tier is full */                        \
  X(kFailedPrecondition, "FailedPrecondition") /* the system is not in a state that allows this */ \
  X(kOutOfRange, "OutOfRange")                 /* an offset or range beyond the end */             \
  X(kNotSupported, "NotSupported")             /* valid request this implementation cannot do */   \
  X(kUnavailable, "Unavailable")               /* a dependency cannot be reached right now */      \
  X(kDeadlineExceeded, "DeadlineExceeded")     /* it took too long */                              \
  X(kCorruption, "Corruption")                 /* stored bytes fail their checksum or format */    \
  X(kIOError, "IOError")                       /* the OS reported an I/O failure */                \
  X(kCancelled, "Cancelled")                   /* the caller gave up */                            \
  X(kInternal, "Internal")                     /* a bug: an invariant did not hold */

enum class Code : int {
#define AVA_STATUS_ENUM(name, text) name,
  AVA_STATUS_CODES(AVA_STATUS_ENUM)
#undef AVA_STATUS_ENUM
};

std::string_view CodeName(Code code);

// Refines a code where a caller must tell cases apart (RocksDB's SubCode); the FUSE layer maps
// these to the exact errno POSIX tools expect (rm -r needs ENOTEMPTY, mv needs EXDEV, …).
enum class SubCode : int {
  kNone = 0,
  kNotEmpty,      // a directory that must be empty is not
  kIsDirectory,   // a file operation on a directory
  kNotDirectory,  // a directory operation on a file
  kCrossDevice,   // a rename between different stores
  kReadOnly,      // the target cannot be changed
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
  static Status PermissionDenied(std::string msg) { return {Code::kPermissionDenied, std::move(msg)}; }
  static Status Unauthenticated(std::string msg) { return {Code::kUnauthenticated, std::move(msg)}; }
  static Status ResourceExhausted(std::string msg) { return {Code::kResourceExhausted, std::move(msg)}; }
  static Status NoSpace(std::string msg) { return {Code::kNoSpace, std::move(msg)}; }
  static Status FailedPrecondition(std::string msg) { return {Code::kFailedPrecondition, std::move(msg)}; }
  static Status OutOfRange(std::string msg) { return {Code::kOutOfRange, std::move(msg)}; }
  static Status NotSupported(std::string msg) { return {Code::kNotSupported, std::move(msg)}; }
  // Unavailable and DeadlineExceeded are retryable unless the caller says otherwise.
  static Status Unavailable(std::string msg) {
    return Status(Code::kUnavailable, std::move(msg)).Retryable();
  }
  static Status DeadlineExceeded(std::string msg) {
    return Status(Code::kDeadlineExceeded, std::move(msg)).Retryable();
  }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status IOError(std::string msg) { return {Code::kIOError, std::move(msg)}; }
  static Status Cancelled(std::string msg) { return {Code::kCancelled, std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }
  // An errno from a system call, mapped to the closest code: ENOENT → NotFound, ENOSPC → NoSpace, …
  static Status FromErrno(int err, std::string_view context);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool retryable() const { return retryable_; }
  bool data_loss() const { return data_loss_; }

  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsOutOfRange() const { return code_ == Code::kOutOfRange; }

  // Flag setters return a copy so they chain off a factory: Status::IOError("…").Retryable().
  Status Retryable(bool value = true) const&;
  Status Retryable(bool value = true) &&;
  Status DataLoss(bool value = true) &&;
  Status WithSubCode(SubCode sub) &&;
  SubCode subcode() const { return subcode_; }
  // "context: message", keeping code and flags. Used to say where an error happened.
  Status Annotate(std::string_view context) const;

  // Use when an error is deliberately dropped; the call documents the decision.
  void IgnoreError() const {}

  // "NotFound: s3://bucket/key" (plus " [retryable]" / " [data loss]").
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  bool retryable_ = false;
  bool data_loss_ = false;
  SubCode subcode_ = SubCode::kNone;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& s);

}  // namespace ava

// Propagate an error Status (or the status of an error Result) to the caller.
#define AVA_RETURN_IF_ERROR(expr)                                  \
  do {                                                             \
    ::ava::Status ava_status_ = ::ava::internal::ToStatus((expr)); \
    if (!ava_status_.ok()) return ava_status_;                     \
  } while (0)

namespace ava::internal {
inline const Status& ToStatus(const Status& s) { return s; }
}  // namespace ava::internal
