#include "store/store_op.h"

namespace ava::store {

std::string_view StoreOpName(StoreOp op) {
  switch (op) {
    case StoreOp::kHead:
      return "head";
    case StoreOp::kGet:
      return "get";
    case StoreOp::kList:
      return "list";
    case StoreOp::kPut:
      return "put";
    case StoreOp::kStartMultipart:
      return "start_multipart";
    case StoreOp::kUploadPart:
      return "upload_part";
    case StoreOp::kCompleteMultipart:
      return "complete_multipart";
    case StoreOp::kAbortMultipart:
      return "abort_multipart";
    case StoreOp::kDelete:
      return "delete";
    case StoreOp::kCopy:
      return "copy";
  }
  return "unknown";
}

std::string_view StoreOpMetricName(StoreOp op) {
  switch (op) {
    case StoreOp::kStartMultipart:
    case StoreOp::kUploadPart:
    case StoreOp::kCompleteMultipart:
    case StoreOp::kAbortMultipart:
      return "multipart";
    default:
      return StoreOpName(op);
  }
}

}  // namespace ava::store
