// The SSD tier's on-disk block: one file per block, a self-describing header and the data.
//
//   offset  size  field
//   0       4     magic "AVAB" (0x42415641, little-endian like every integer here)
//   4       2     format version (kBlockFormatVersion)
//   6       2     flags (0; reserved)
//   8       4     header length in bytes, from offset 0 through the header checksum
//   12      4+n   store   (u32 length, bytes)
//           4+n   key     (u32 length, bytes)
//           4+n   etag    (u32 length, bytes)
//           8     offset of the block in the object
//           4     length of the data
//           8     data checksum: XXH3-64 of the data
//           8     header checksum: XXH3-64 of every header byte before it
//   header length …  data
//
// The header carries the block's full identity, so a reader can tell that a file holds the block
// it asked for (file names are 64-bit hashes, which can collide; files can be copied or swapped by
// hand), and both checksums, so torn writes and bit rot are caught before a byte is served.
//
// Errors: decoding returns Corruption with a message saying exactly what did not match.
// Thread safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cache/block_key.h"
#include "common/result.h"

namespace ava::cache {

inline constexpr uint32_t kBlockMagic = 0x42415641;  // "AVAB"
inline constexpr uint16_t kBlockFormatVersion = 1;
// The file system's allocation unit the SSD tier rounds each block file up to when it charges it.
inline constexpr uint64_t kSsdAllocationUnit = 4096;

// A stable 64-bit hash of the key's identity (XXH3 of its length-prefixed binary encoding); names
// the block's file. Stable across builds and machines: changing it orphans every cached block.
uint64_t BlockFingerprint(const BlockKey& key);

// Header bytes for a block with this identity.
size_t BlockHeaderSize(const BlockKey& key);

// What the SSD tier charges for the block: header + data (key.length bytes), rounded up to the
// allocation unit.
uint64_t SsdBlockCharge(const BlockKey& key);

// Header + data, ready to be written to the block's file.
std::string EncodeBlockFile(const BlockKey& key, std::string_view data);

struct BlockHeader {
  BlockKey key;
  uint32_t header_length = 0;
  uint64_t data_checksum = 0;
};

// Decodes and verifies the header at the start of `bytes` (which may hold only a prefix of the
// file: the header, or more). Corruption on a bad magic, unknown version, impossible length or
// header checksum mismatch.
Result<BlockHeader> DecodeBlockHeader(std::string_view bytes);

// Verifies a whole block file — header, data length, data checksum — and on success turns
// `*contents` into the block's data (the header is cut off in place) and returns its identity.
// On failure `*contents` is unspecified.
Result<BlockKey> DecodeBlockFile(std::string* contents);

}  // namespace ava::cache
