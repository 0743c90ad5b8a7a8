// StoreOp: the operations of the ObjectStore interface, as named in metrics, logs and the test
// decorators (FaultInjectingStore counts and fails them one by one).
#pragma once

#include <string_view>

namespace ava::store {

enum class StoreOp : int {
  kHead = 0,
  kGet,
  kList,
  kPut,
  kStartMultipart,
  kUploadPart,
  kCompleteMultipart,
  kAbortMultipart,
  kDelete,
  kCopy,
};
inline constexpr int kStoreOpCount = 10;

// "head", "get", "list", "put", "start_multipart", "upload_part", "complete_multipart",
// "abort_multipart", "delete", "copy".
std::string_view StoreOpName(StoreOp op);
// The `op` label of the backend metrics: the four multipart calls all report "multipart".
std::string_view StoreOpMetricName(StoreOp op);

}  // namespace ava::store
