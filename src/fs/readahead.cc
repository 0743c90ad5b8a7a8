#include "fs/readahead.h"

#include <algorithm>

namespace ava::fs {

ReadaheadWindow::ReadaheadWindow(uint64_t block_size, uint32_t max_blocks)
    : block_size_(block_size), max_blocks_(max_blocks) {}

uint32_t ReadaheadWindow::OnRead(uint64_t offset, uint64_t length) {
  uint64_t end = offset + length;
  uint64_t last_block = length == 0 ? offset / block_size_ : (end - 1) / block_size_;
  // The kernel issues readahead asynchronously and may deliver neighbouring requests slightly out
  // of order, so "sequential" tolerates one block of slack on either side of the expected offset.
  bool sequential = !first_ && offset + block_size_ >= next_offset_ && offset <= next_offset_ + block_size_;
  if (first_) {
    window_ = offset == 0 ? 1 : 0;  // a reader starting at 0 is most likely reading the whole file
  } else if (!sequential) {
    window_ = 0;
  } else if (last_block > last_block_) {
    window_ = window_ == 0 ? 1 : std::min<uint32_t>(window_ * 2, max_blocks_);
  }
  window_ = std::min(window_, max_blocks_);
  first_ = false;
  next_offset_ = std::max(end, sequential ? next_offset_ : end);
  last_block_ = std::max(last_block, sequential ? last_block_ : last_block);
  return window_;
}

}  // namespace ava::fs
