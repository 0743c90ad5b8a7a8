// MD5 as S3 uses it for ETags: the hex digest of a single-part object, and the multipart ETag
// "hex(md5(concat(binary part md5s)))-N". Built on OpenSSL's EVP interface.
//
// Errors: none; OpenSSL failures (which only happen when the library is broken) abort.
// Thread safety: free functions are safe; an Md5 object is used by one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ava::store {

using Md5Digest = std::array<uint8_t, 16>;

// Incremental MD5 for data that arrives in pieces (multipart assembly, file copies).
class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;

  void Update(std::string_view data);
  // Returns the digest; the object must not be updated afterwards.
  Md5Digest Finish();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

Md5Digest Md5Of(std::string_view data);
// 32 lowercase hex digits.
std::string Md5Hex(std::string_view data);
std::string DigestHex(const Md5Digest& digest);
// Parses 32 hex digits (either case); false on anything else.
bool ParseDigestHex(std::string_view hex, Md5Digest* out);

// The ETag S3 gives an object assembled from parts whose digests are `part_digests`, in part order.
std::string MultipartEtag(const std::vector<Md5Digest>& part_digests);

}  // namespace ava::store
