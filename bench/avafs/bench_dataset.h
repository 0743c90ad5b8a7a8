// BenchDataset: the layout and the content of the avafs read-path benchmark's dataset, shared by the
// tool that uploads it to S3 (and writes the local-disk copy) and by anything that checks it.
//
//   big/big.bin                one large file (1 GiB in the full run): sequential and random reads
//   small/dNNN/fNNNNN.bin      many small files (10,000 × 100 KiB), 100 per directory: files/s
//   tree/dNNN/fNNNNNN          many tiny objects (100,000 × 64 B), 1,000 per directory: ls -R
//
// Content is pseudo-random and position-addressable: the 8-byte word at offset 8*i of a file is
// splitmix64(seed(key) + i), so any byte range of any file can be produced on its own (parts of a
// multipart upload in parallel, the local copy) and is incompressible, like image data.
//
// Errors: none (pure functions). Thread safety: plain values and pure functions.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ava::bench {

struct DatasetShape {
  uint64_t big_size = 1ull << 30;
  uint64_t small_count = 10000;
  uint64_t small_size = 100 << 10;
  uint64_t tiny_count = 100000;
  uint64_t tiny_size = 64;

  static constexpr uint64_t kSmallPerDir = 100;
  static constexpr uint64_t kTinyPerDir = 1000;

  // A one-line description stored next to the data; a dataset is reused only when it matches.
  std::string Describe() const {
    return fmt::format(
        R"({{"layout":1,"big_size":{},"small_count":{},"small_size":{},"tiny_count":{},"tiny_size":{}}})",
        big_size, small_count, small_size, tiny_count, tiny_size);
  }
};

inline std::string BigKey() { return "big/big.bin"; }
inline std::string SmallKey(uint64_t i) {
  return fmt::format("small/d{:03d}/f{:05d}.bin", i / DatasetShape::kSmallPerDir, i);
}
inline std::string TinyKey(uint64_t i) {
  return fmt::format("tree/d{:03d}/f{:06d}", i / DatasetShape::kTinyPerDir, i);
}
// Where the dataset's description lives (outside the measured folders).
inline std::string MarkerKey() { return "meta/dataset.json"; }

inline uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// FNV-1a: a stable seed per key (std::hash is not stable across builds).
inline uint64_t KeySeed(std::string_view key) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : key) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

// Fills `out` with the `length` bytes of `key`'s content that start at `offset`.
inline void FillContent(std::string_view key, uint64_t offset, uint64_t length, char* out) {
  const uint64_t seed = KeySeed(key);
  uint64_t pos = offset;
  const uint64_t end = offset + length;
  while (pos < end) {
    const uint64_t word_index = pos / 8;
    const uint64_t word = SplitMix64(seed + word_index);
    const uint64_t in_word = pos % 8;
    const uint64_t n = std::min<uint64_t>(8 - in_word, end - pos);
    std::memcpy(out + (pos - offset), reinterpret_cast<const char*>(&word) + in_word, n);
    pos += n;
  }
}

inline std::string Content(std::string_view key, uint64_t offset, uint64_t length) {
  std::string data(length, '\0');
  FillContent(key, offset, length, data.data());
  return data;
}

}  // namespace ava::bench
