// Fixed-width little-endian encoding of integers and length-prefixed strings, for the SSD tier's
// on-disk formats (block headers, index journal). Decoding reads from a bounded cursor and reports
// running off the end instead of reading past it.
//
// Thread safety: stateless functions; a Cursor is used by one thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ava::cache {

inline void PutFixed16(std::string* dst, uint16_t v) {
  char b[2] = {static_cast<char>(v), static_cast<char>(v >> 8)};
  dst->append(b, 2);
}

inline void PutFixed32(std::string* dst, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  dst->append(b, 4);
}

inline void PutFixed64(std::string* dst, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  dst->append(b, 8);
}

// u32 length, then the bytes.
inline void PutLengthPrefixed(std::string* dst, std::string_view s) {
  PutFixed32(dst, static_cast<uint32_t>(s.size()));
  dst->append(s);
}

inline uint64_t DecodeFixed(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

// Reads values front to back from `data`; every Get returns false (and leaves the output alone)
// when fewer bytes remain than the value needs.
class Cursor {
 public:
  explicit Cursor(std::string_view data) : data_(data) {}

  bool GetFixed16(uint16_t* v) { return Get(v, 2); }
  bool GetFixed32(uint32_t* v) { return Get(v, 4); }
  bool GetFixed64(uint64_t* v) { return Get(v, 8); }
  bool GetLengthPrefixed(std::string* s) {
    uint32_t n = 0;
    if (!GetFixed32(&n) || n > data_.size()) return false;
    s->assign(data_.data(), n);
    data_.remove_prefix(n);
    return true;
  }
  size_t remaining() const { return data_.size(); }

 private:
  template <typename T>
  bool Get(T* v, int bytes) {
    if (data_.size() < static_cast<size_t>(bytes)) return false;
    *v = static_cast<T>(DecodeFixed(data_.data(), bytes));
    data_.remove_prefix(bytes);
    return true;
  }

  std::string_view data_;
};

}  // namespace ava::cache
