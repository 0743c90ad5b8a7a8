// SigV4 against the examples published in the S3 API reference ("Signature Calculations for the
// Authorization Header", examplebucket, AKIAIOSFODNN7EXAMPLE, 2013-05-24).
#include "store/sigv4_signer.h"

#include <gtest/gtest.h>

namespace ava::store {
namespace {

using namespace std::chrono_literals;

constexpr char kAmzDate[] = "20130524T000000Z";
const Nanos kWhen = std::chrono::seconds(1369353600);  // Fri, 24 May 2013 00:00:00 GMT

SigV4Signer ExampleSigner() {
  return SigV4Signer(Credentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""},
                     "us-east-1");
}

TEST(SigV4SignerTest, GetObjectExample) {
  HeaderList headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                        {"Range", "bytes=0-9"},
                        {"x-amz-content-sha256", kEmptyPayloadSha256},
                        {"x-amz-date", kAmzDate}};
  SignedRequestParts parts =
      ExampleSigner().Compute("GET", "/test.txt", {}, headers, kEmptyPayloadSha256, kAmzDate);
  EXPECT_EQ(parts.canonical_request,
            "GET\n/test.txt\n\n"
            "host:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\n"
            "host;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(parts.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(parts.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(parts.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4SignerTest, SignAddsDateAndPayloadHeaders) {
  HeaderList headers = {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}};
  ExampleSigner().Sign("GET", "/test.txt", {}, kEmptyPayloadSha256, kWhen, &headers);
  ASSERT_EQ(headers.size(), 5u);
  EXPECT_EQ(headers[2], (std::pair<std::string, std::string>{"x-amz-date", kAmzDate}));
  EXPECT_EQ(headers[3].first, "x-amz-content-sha256");
  EXPECT_EQ(headers[4].first, "Authorization");
  EXPECT_NE(
      headers[4].second.find("Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
      std::string::npos);
}

TEST(SigV4SignerTest, PutObjectExampleWithEncodedKeyAndBody) {
  const std::string body = "Welcome to Amazon S3.";
  const std::string payload = Sha256Hex(body);
  EXPECT_EQ(payload, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(UriEncode("test$file.text", false), "test%24file.text");
  HeaderList headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                        {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                        {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  ExampleSigner().Sign("PUT", "/" + UriEncode("test$file.text", false), {}, payload, kWhen, &headers);
  EXPECT_EQ(headers.back().second,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
            "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4SignerTest, GetBucketLifecycleExampleWithValuelessQuery) {
  HeaderList headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  ExampleSigner().Sign("GET", "/", {{"lifecycle", ""}}, kEmptyPayloadSha256, kWhen, &headers);
  EXPECT_NE(headers.back().second.find(
                "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
            std::string::npos);
}

TEST(SigV4SignerTest, ListObjectsExampleSortsQuery) {
  HeaderList headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  ExampleSigner().Sign("GET", "/", {{"prefix", "J"}, {"max-keys", "2"}}, kEmptyPayloadSha256, kWhen,
                       &headers);
  EXPECT_NE(headers.back().second.find(
                "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
            std::string::npos);
}

TEST(SigV4SignerTest, SessionTokenIsSentAndSigned) {
  SigV4Signer signer(Credentials{"AKIAIOSFODNN7EXAMPLE", "secret", "TOKEN"}, "us-east-1");
  HeaderList headers = {{"Host", "h"}};
  signer.Sign("GET", "/", {}, kEmptyPayloadSha256, kWhen, &headers);
  EXPECT_EQ(headers[3], (std::pair<std::string, std::string>{"x-amz-security-token", "TOKEN"}));
  EXPECT_NE(
      headers.back().second.find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token"),
      std::string::npos);
}

TEST(SigV4SignerTest, UriEncodingFollowsAwsRules) {
  EXPECT_EQ(UriEncode("数据集/猫 cat+1%.png", false),
            "%E6%95%B0%E6%8D%AE%E9%9B%86/%E7%8C%AB%20cat%2B1%25.png");
  EXPECT_EQ(UriEncode("a/b c", true), "a%2Fb%20c");
  EXPECT_EQ(UriEncode("AZaz09-_.~", true), "AZaz09-_.~");
  EXPECT_EQ(UriEncode("=&*", true), "%3D%26%2A");
  EXPECT_EQ(CanonicalQuery({{"prefix", "a b/"}, {"list-type", "2"}, {"continuation-token", "x+y="}}),
            "continuation-token=x%2By%3D&list-type=2&prefix=a%20b%2F");
}

TEST(SigV4SignerTest, CanonicalHeadersTrimAndCollapseSpaces) {
  HeaderList headers = {{"Host", "h"},
                        {"X-Amz-Meta-A", "  two   spaces  "},
                        {"x-amz-content-sha256", kEmptyPayloadSha256},
                        {"x-amz-date", kAmzDate}};
  SignedRequestParts parts = ExampleSigner().Compute("GET", "/", {}, headers, kEmptyPayloadSha256, kAmzDate);
  EXPECT_NE(parts.canonical_request.find("\nx-amz-meta-a:two spaces\n"), std::string::npos);
}

TEST(SigV4SignerTest, AmzDateFormatsUtc) { EXPECT_EQ(AmzDate(kWhen + 3723s), "20130524T010203Z"); }

}  // namespace
}  // namespace ava::store
