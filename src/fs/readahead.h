// ReadaheadWindow: decides, per open file handle, how far ahead of a reader avafs fetches.
// A sequential reader sees the window double each time it crosses into a new block (1, 2, 4, …
// up to `max_blocks`); a read that jumps away from where the last one ended (a seek) resets the
// window to zero, so random readers never pay for data they will not read. The first block a
// reader touches is fetched whole (the block size is chosen ≥ 1 MiB), which absorbs the kernel's
// own readahead of up to 1 MiB.
//
// Thread safety: none; the owner (a file handle) serialises calls.
#pragma once

#include <cstdint>

namespace ava::fs {

class ReadaheadWindow {
 public:
  ReadaheadWindow(uint64_t block_size, uint32_t max_blocks);

  // Records a read of `length` bytes at `offset` and returns the number of blocks after the last
  // block this read touches that should be prefetched now.
  uint32_t OnRead(uint64_t offset, uint64_t length);
  uint32_t window() const { return window_; }

 private:
  uint64_t block_size_;
  uint32_t max_blocks_;
  uint32_t window_ = 0;
  uint64_t next_offset_ = 0;  // where a sequential reader reads next
  uint64_t last_block_ = 0;   // last block touched by the previous read
  bool first_ = true;
};

}  // namespace ava::fs
