#include "store/md5.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace ava::store {

struct Md5::Ctx {
  EVP_MD_CTX* ctx = nullptr;
};

Md5::Md5() : ctx_(std::make_unique<Ctx>()) {
  ctx_->ctx = EVP_MD_CTX_new();
  if (ctx_->ctx == nullptr || EVP_DigestInit_ex(ctx_->ctx, EVP_md5(), nullptr) != 1) std::abort();
}

Md5::~Md5() { EVP_MD_CTX_free(ctx_->ctx); }

void Md5::Update(std::string_view data) {
  if (EVP_DigestUpdate(ctx_->ctx, data.data(), data.size()) != 1) std::abort();
}

Md5Digest Md5::Finish() {
  Md5Digest out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_->ctx, out.data(), &len) != 1 || len != out.size()) std::abort();
  return out;
}

Md5Digest Md5Of(std::string_view data) {
  Md5 md5;
  md5.Update(data);
  return md5.Finish();
}

std::string Md5Hex(std::string_view data) { return DigestHex(Md5Of(data)); }

std::string DigestHex(const Md5Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (size_t i = 0; i < digest.size(); ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool ParseDigestHex(std::string_view hex, Md5Digest* out) {
  if (hex.size() != 32) return false;
  for (size_t i = 0; i < 16; ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

std::string MultipartEtag(const std::vector<Md5Digest>& part_digests) {
  Md5 md5;
  for (const Md5Digest& d : part_digests) {
    md5.Update(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
  }
  return DigestHex(md5.Finish()) + "-" + std::to_string(part_digests.size());
}

}  // namespace ava::store
