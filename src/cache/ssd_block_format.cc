#include "cache/ssd_block_format.h"

#include <fmt/format.h>

#include "cache/coding.h"
#include "common/checksum.h"

namespace ava::cache {

namespace {

constexpr size_t kFixedPrefix = 4 + 2 + 2 + 4;                      // magic, version, flags, header length
constexpr size_t kFixedSuffix = 8 + 4 + 8 + 8;                      // offset, length, two checksums
constexpr size_t kMinHeader = kFixedPrefix + 3 * 4 + kFixedSuffix;  // with three empty strings
constexpr size_t kMaxHeader = 1 << 20;                              // keys are far shorter

void PutIdentity(std::string* out, const BlockKey& key) {
  PutLengthPrefixed(out, key.store);
  PutLengthPrefixed(out, key.key);
  PutLengthPrefixed(out, key.etag);
  PutFixed64(out, key.offset);
  PutFixed32(out, key.length);
}

}  // namespace

uint64_t BlockFingerprint(const BlockKey& key) {
  std::string buf;
  buf.reserve(key.store.size() + key.key.size() + key.etag.size() + 24);
  PutIdentity(&buf, key);
  return Checksum64(buf);
}

size_t BlockHeaderSize(const BlockKey& key) {
  return kMinHeader + key.store.size() + key.key.size() + key.etag.size();
}

uint64_t SsdBlockCharge(const BlockKey& key) {
  uint64_t bytes = BlockHeaderSize(key) + key.length;
  return (bytes + kSsdAllocationUnit - 1) / kSsdAllocationUnit * kSsdAllocationUnit;
}

std::string EncodeBlockFile(const BlockKey& key, std::string_view data) {
  size_t header_len = BlockHeaderSize(key);
  std::string out;
  out.reserve(header_len + data.size());
  PutFixed32(&out, kBlockMagic);
  PutFixed16(&out, kBlockFormatVersion);
  PutFixed16(&out, 0);
  PutFixed32(&out, static_cast<uint32_t>(header_len));
  BlockKey stored = key;
  stored.length = static_cast<uint32_t>(data.size());
  PutIdentity(&out, stored);
  PutFixed64(&out, Checksum64(data));
  PutFixed64(&out, Checksum64(out));
  out.append(data);
  return out;
}

Result<BlockHeader> DecodeBlockHeader(std::string_view bytes) {
  if (bytes.size() < kFixedPrefix) {
    return Status::Corruption(fmt::format("block file is {} bytes, shorter than a header", bytes.size()));
  }
  Cursor c(bytes);
  uint32_t magic = 0, header_len = 0;
  uint16_t version = 0, flags = 0;
  c.GetFixed32(&magic);
  c.GetFixed16(&version);
  c.GetFixed16(&flags);
  c.GetFixed32(&header_len);
  if (magic != kBlockMagic) {
    return Status::Corruption(
        fmt::format("bad magic 0x{:08x} (expected 0x{:08x}): not an Ava cache block", magic, kBlockMagic));
  }
  if (version != kBlockFormatVersion) {
    return Status::Corruption(fmt::format("unsupported block format version {} (this build reads {})",
                                          version, kBlockFormatVersion));
  }
  if (header_len < kMinHeader || header_len > kMaxHeader) {
    return Status::Corruption(
        fmt::format("header length {} is out of range [{}, {}]", header_len, kMinHeader, kMaxHeader));
  }
  if (header_len > bytes.size()) {
    return Status::Corruption(fmt::format(
        "header length {} runs past the {} bytes available (truncated file?)", header_len, bytes.size()));
  }
  uint64_t stored_sum = DecodeFixed(bytes.data() + header_len - 8, 8);
  uint64_t computed_sum = Checksum64(bytes.data(), header_len - 8);
  if (stored_sum != computed_sum) {
    return Status::Corruption(fmt::format("header checksum mismatch: stored 0x{:016x}, computed 0x{:016x}",
                                          stored_sum, computed_sum));
  }
  BlockHeader h;
  h.header_length = header_len;
  Cursor fields(bytes.substr(kFixedPrefix, header_len - kFixedPrefix - 8));
  if (!fields.GetLengthPrefixed(&h.key.store) || !fields.GetLengthPrefixed(&h.key.key) ||
      !fields.GetLengthPrefixed(&h.key.etag) || !fields.GetFixed64(&h.key.offset) ||
      !fields.GetFixed32(&h.key.length) || !fields.GetFixed64(&h.data_checksum) || fields.remaining() != 0) {
    return Status::Corruption(fmt::format(
        "header fields do not fill the {}-byte header exactly (checksum matched: format bug?)", header_len));
  }
  return h;
}

Result<BlockKey> DecodeBlockFile(std::string* contents) {
  AVA_ASSIGN_OR_RETURN(BlockHeader h, DecodeBlockHeader(*contents));
  uint64_t data_len = contents->size() - h.header_length;
  if (data_len != h.key.length) {
    return Status::Corruption(
        fmt::format("data length: header says {} bytes, file holds {}", h.key.length, data_len));
  }
  uint64_t computed = Checksum64(contents->data() + h.header_length, data_len);
  if (computed != h.data_checksum) {
    return Status::Corruption(fmt::format("data checksum mismatch: stored 0x{:016x}, computed 0x{:016x}",
                                          h.data_checksum, computed));
  }
  contents->erase(0, h.header_length);
  return std::move(h.key);
}

}  // namespace ava::cache
