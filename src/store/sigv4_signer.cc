#include "store/sigv4_signer.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>

namespace ava::store {
namespace {

std::string Hex(const unsigned char* data, size_t len) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (size_t i = 0; i < len; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 0xf];
  }
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len) == nullptr) {
    std::abort();  // only when OpenSSL itself is broken
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trims and collapses runs of spaces, as the canonical header rules ask.
std::string CanonicalValue(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string UriEncode(std::string_view s, bool encode_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() + s.size() / 2);
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encode_slash)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string CanonicalQuery(const QueryList& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) encoded.emplace_back(UriEncode(name, true), UriEncode(value, true));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr) != 1) std::abort();
  return Hex(out, len);
}

std::string AmzDate(Nanos wall_time) {
  std::time_t t =
      static_cast<std::time_t>(std::chrono::duration_cast<std::chrono::seconds>(wall_time).count());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

SigV4Signer::SigV4Signer(Credentials credentials, std::string region, std::string service)
    : credentials_(std::move(credentials)), region_(std::move(region)), service_(std::move(service)) {}

SignedRequestParts SigV4Signer::Compute(std::string_view method, std::string_view canonical_uri,
                                        const QueryList& query, const HeaderList& headers,
                                        std::string_view payload_hash, std::string_view amz_date) const {
  // Lower-case names, sorted; repeated headers join their values with ','.
  std::vector<std::pair<std::string, std::string>> canon;
  canon.reserve(headers.size());
  for (const auto& [name, value] : headers) canon.emplace_back(Lower(name), CanonicalValue(value));
  std::stable_sort(canon.begin(), canon.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string canonical_headers;
  std::string signed_headers;
  for (size_t i = 0; i < canon.size(); ++i) {
    if (i > 0 && canon[i].first == canon[i - 1].first) {
      canonical_headers.pop_back();  // the '\n'
      canonical_headers += "," + canon[i].second + "\n";
      continue;
    }
    canonical_headers += canon[i].first + ":" + canon[i].second + "\n";
    if (!signed_headers.empty()) signed_headers.push_back(';');
    signed_headers += canon[i].first;
  }

  SignedRequestParts parts;
  parts.canonical_request =
      fmt::format("{}\n{}\n{}\n{}\n{}\n{}", method, canonical_uri, CanonicalQuery(query), canonical_headers,
                  signed_headers, payload_hash);
  std::string_view date = amz_date.substr(0, 8);
  std::string scope = fmt::format("{}/{}/{}/aws4_request", date, region_, service_);
  parts.string_to_sign =
      fmt::format("AWS4-HMAC-SHA256\n{}\n{}\n{}", amz_date, scope, Sha256Hex(parts.canonical_request));
  std::string key = HmacSha256("AWS4" + credentials_.secret_key, date);
  key = HmacSha256(key, region_);
  key = HmacSha256(key, service_);
  key = HmacSha256(key, "aws4_request");
  std::string sig = HmacSha256(key, parts.string_to_sign);
  parts.signature = Hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
  parts.authorization = fmt::format("AWS4-HMAC-SHA256 Credential={}/{},SignedHeaders={},Signature={}",
                                    credentials_.access_key, scope, signed_headers, parts.signature);
  return parts;
}

void SigV4Signer::Sign(std::string_view method, std::string_view canonical_uri, const QueryList& query,
                       std::string_view payload_hash, Nanos wall_time, HeaderList* headers) const {
  std::string amz_date = AmzDate(wall_time);
  headers->emplace_back("x-amz-date", amz_date);
  headers->emplace_back("x-amz-content-sha256", std::string(payload_hash));
  if (!credentials_.session_token.empty())
    headers->emplace_back("x-amz-security-token", credentials_.session_token);
  SignedRequestParts parts = Compute(method, canonical_uri, query, *headers, payload_hash, amz_date);
  headers->emplace_back("Authorization", std::move(parts.authorization));
}

}  // namespace ava::store
