// S3Store against a scripted transport: request building, retries and error mapping without a
// server (the contract suite covers a real RGW).
#include "store/s3_store.h"

#include <gtest/gtest.h>

#include "fake_transport.h"
#include "store/md5.h"
#include "test_util.h"

namespace ava::store {
namespace {

using namespace std::chrono_literals;

class S3StoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<S3Store> Make(S3Addressing addressing = S3Addressing::kPath, int max_attempts = 4) {
    auto transport = std::make_unique<FakeTransport>();
    fake_ = transport.get();
    S3StoreOptions options{.bucket = "bucket",
                           .endpoint = "http://127.0.0.1:7480",
                           .addressing = addressing,
                           .credentials = {"AK", "SK", ""},
                           .retry = {.max_attempts = max_attempts, .base_delay = 100ms, .max_delay = 1s}};
    auto store = S3Store::Create(options, std::move(transport), &clock_, &log_);
    EXPECT_OK(store);
    return std::move(store).value();
  }

  FakeClock clock_;
  CapturingLogger log_;
  FakeTransport* fake_ = nullptr;
};

TEST_F(S3StoreTest, PathStyleRequestsEncodeTheKeyAndAreSigned) {
  auto store = Make();
  fake_->Respond(
      200, "",
      {{"content-length", "5"}, {"etag", "\"abc\""}, {"last-modified", "Wed, 12 Oct 2009 17:50:00 GMT"}});
  auto head = store->Head("数据集/猫 cat+1%.png");
  ASSERT_OK(head);
  EXPECT_EQ(head->size, 5u);
  EXPECT_EQ(head->etag, "abc");
  EXPECT_EQ(head->mtime_ns, 1255369800LL * 1'000'000'000);
  auto req = fake_->requests().at(0);
  EXPECT_EQ(req.method, "HEAD");
  EXPECT_EQ(req.url, "http://127.0.0.1:7480/bucket/%E6%95%B0%E6%8D%AE%E9%9B%86/%E7%8C%AB%20cat%2B1%25.png");
  ASSERT_NE(req.Header("Host"), nullptr);
  EXPECT_EQ(*req.Header("Host"), "127.0.0.1:7480");
  ASSERT_NE(req.Header("Authorization"), nullptr);
  EXPECT_TRUE(req.Header("Authorization")->starts_with("AWS4-HMAC-SHA256 Credential=AK/"));
  EXPECT_EQ(store->Describe(), "s3://bucket@127.0.0.1:7480");
}

TEST_F(S3StoreTest, VirtualHostStylePutsTheBucketInTheHostName) {
  auto store = Make(S3Addressing::kVirtualHost);
  fake_->Respond(200, "", {{"etag", "\"" + Md5Hex("data") + "\""}});
  auto put = store->Put("dir/key", "data");
  ASSERT_OK(put);
  EXPECT_EQ(put->etag, Md5Hex("data"));
  auto req = fake_->requests().at(0);
  EXPECT_EQ(req.url, "http://bucket.127.0.0.1:7480/dir/key");
  EXPECT_EQ(*req.Header("Host"), "bucket.127.0.0.1:7480");
  EXPECT_EQ(req.body, "data");
  ASSERT_NE(req.Header("Content-MD5"), nullptr);
  EXPECT_EQ(*req.Header("Content-MD5"),
            "jXd/OF09/siBXSD3SWAm3A==");  // base64(md5("data")), checked with Python hashlib
  EXPECT_EQ(*req.Header("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
}

TEST_F(S3StoreTest, RangeHeaders) {
  auto store = Make();
  fake_->Respond(206, "0", {{"content-range", "bytes 0-0/10"}, {"etag", "\"e\""}});
  fake_->Respond(206, "789", {{"content-range", "bytes 7-9/10"}, {"etag", "\"e\""}});
  fake_->Respond(206, "3456789", {{"content-range", "bytes 3-9/10"}, {"etag", "\"e\""}});
  auto first = store->Get({.key = "k", .offset = 0, .length = 1});
  ASSERT_OK(first);
  EXPECT_EQ(first->data, "0");
  EXPECT_EQ(first->info.size, 10u);
  auto suffix = store->Get({.key = "k", .suffix_length = 3});
  ASSERT_OK(suffix);
  EXPECT_EQ(suffix->offset, 7u);
  auto open_end = store->Get({.key = "k", .offset = 3, .if_match = "e"});
  ASSERT_OK(open_end);
  auto reqs = fake_->requests();
  EXPECT_EQ(*reqs[0].Header("Range"), "bytes=0-0");
  EXPECT_EQ(*reqs[1].Header("Range"), "bytes=-3");
  EXPECT_EQ(*reqs[2].Header("Range"), "bytes=3-");
  EXPECT_EQ(*reqs[2].Header("If-Match"), "\"e\"");
  EXPECT_EQ(reqs[0].Header("If-Match"), nullptr);
}

TEST_F(S3StoreTest, RangeOnEmptyObjectReturnsEmptyData) {
  auto store = Make();
  fake_->Respond(416, S3ErrorXml("InvalidRange"));
  fake_->Respond(200, "", {{"content-length", "0"}, {"etag", "\"" + Md5Hex("") + "\""}});
  auto get = store->Get({.key = "empty", .offset = 0, .length = 100});
  ASSERT_OK(get);
  EXPECT_EQ(get->data, "");
  EXPECT_EQ(get->info.size, 0u);
  EXPECT_EQ(fake_->requests().at(1).method, "HEAD");
}

TEST_F(S3StoreTest, OffsetPastTheEndIsOutOfRange) {
  auto store = Make();
  fake_->Respond(416, S3ErrorXml("InvalidRange", "The requested range is not satisfiable"));
  fake_->Respond(200, "", {{"content-length", "10"}, {"etag", "\"e\""}});
  EXPECT_STATUS(store->Get({.key = "k", .offset = 10}), kOutOfRange);
}

TEST_F(S3StoreTest, ServerErrorsAreRetriedWithBackoffThenSucceed) {
  auto store = Make();
  fake_->Respond(503, S3ErrorXml("SlowDown"));
  fake_->Respond(500, S3ErrorXml("InternalError"));
  fake_->Respond(200, "hello", {{"etag", "\"e\""}});
  Nanos start = clock_.Now();
  auto get = store->Get({.key = "k"});
  ASSERT_OK(get);
  EXPECT_EQ(get->data, "hello");
  EXPECT_EQ(fake_->requests().size(), 3u);
  // Two backoffs: at most 100 ms, then at most 200 ms.
  EXPECT_LE(clock_.Now() - start, 300ms);
  EXPECT_TRUE(log_.Contains("SlowDown"));
  // Each attempt is signed afresh.
  EXPECT_NE(fake_->requests()[0].Header("Authorization"), nullptr);
  EXPECT_NE(fake_->requests()[2].Header("Authorization"), nullptr);
}

TEST_F(S3StoreTest, TransportFailuresAreRetried) {
  auto store = Make();
  fake_->Fail(Status::Unavailable("cannot reach http://127.0.0.1:7480: connection refused"));
  fake_->Respond(200, "", {{"content-length", "1"}, {"etag", "\"e\""}});
  ASSERT_OK(store->Head("k"));
  EXPECT_EQ(fake_->requests().size(), 2u);
}

TEST_F(S3StoreTest, NotFoundIsNotRetried) {
  auto store = Make();
  fake_->Respond(404, S3ErrorXml("NoSuchKey", "The specified key does not exist."));
  auto get = store->Get({.key = "missing"});
  EXPECT_STATUS(get, kNotFound);
  EXPECT_EQ(fake_->requests().size(), 1u);
  EXPECT_NE(get.status().message().find("get s3://bucket/missing: NoSuchKey"), std::string::npos)
      << get.status();
}

TEST_F(S3StoreTest, ExhaustedRetriesAreUnavailableAndRetryable) {
  auto store = Make(S3Addressing::kPath, 3);
  for (int i = 0; i < 3; ++i) fake_->Respond(503, S3ErrorXml("SlowDown", "Please reduce your request rate."));
  auto put = store->Put("k", "v");
  EXPECT_STATUS(put, kUnavailable);
  EXPECT_TRUE(put.status().retryable());
  EXPECT_EQ(fake_->requests().size(), 3u);
  EXPECT_NE(put.status().message().find("after 3 attempts"), std::string::npos) << put.status();
  EXPECT_NE(put.status().message().find("SlowDown"), std::string::npos) << put.status();
}

TEST_F(S3StoreTest, BadCredentialsAreUnauthenticatedAndNotRetried) {
  auto store = Make();
  fake_->Respond(403, S3ErrorXml("SignatureDoesNotMatch"));
  EXPECT_STATUS(store->List({}), kUnauthenticated);
  EXPECT_EQ(fake_->requests().size(), 1u);
}

TEST_F(S3StoreTest, ListSendsListObjectsV2AndFollowsTokens) {
  auto store = Make();
  fake_->Respond(
      200,
      "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>tok/1=</NextContinuationToken>"
      "<Contents><Key>a</Key><Size>1</Size><ETag>\"x\"</ETag></Contents></ListBucketResult>");
  fake_->Respond(200,
                 "<ListBucketResult><IsTruncated>false</IsTruncated>"
                 "<Contents><Key>b</Key><Size>2</Size><ETag>\"y\"</ETag></Contents></ListBucketResult>");
  auto all = ListAll(*store, {.prefix = "p q/", .delimiter = "/", .max_keys = 1});
  ASSERT_OK(all);
  ASSERT_EQ(all->objects.size(), 2u);
  auto reqs = fake_->requests();
  EXPECT_EQ(reqs[0].url, "http://127.0.0.1:7480/bucket?delimiter=%2F&list-type=2&max-keys=1&prefix=p%20q%2F");
  EXPECT_EQ(reqs[1].url,
            "http://127.0.0.1:7480/bucket?continuation-token=tok%2F1%3D&delimiter=%2F&list-type=2&max-keys=1&"
            "prefix=p%20q%2F");
}

TEST_F(S3StoreTest, CompleteErrorInside200IsAnError) {
  auto store = Make(S3Addressing::kPath, 1);
  fake_->Respond(200,
                 "<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>");
  fake_->Respond(200, "", {{"etag", "\"p1\""}});
  fake_->Respond(200, S3ErrorXml("InvalidPart"));
  fake_->Respond(204);  // the abort when the upload is dropped
  auto upload = store->StartMultipart("k");
  ASSERT_OK(upload);
  ASSERT_OK((*upload)->UploadPart(1, "x"));
  EXPECT_STATUS((*upload)->Complete(), kInvalidArgument);
  EXPECT_EQ(fake_->requests()[1].url, "http://127.0.0.1:7480/bucket/k?partNumber=1&uploadId=u1");
  EXPECT_NE(fake_->requests()[2].body.find("<PartNumber>1</PartNumber><ETag>&quot;p1&quot;</ETag>"),
            std::string::npos);
}

TEST_F(S3StoreTest, RetriedCompleteThatAlreadySucceededIsConfirmedByHead) {
  auto store = Make();
  const std::string expected = MultipartEtag({Md5Of("x")});
  fake_->Respond(200,
                 "<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>");
  fake_->Respond(200, "", {{"etag", "\"" + Md5Hex("x") + "\""}});
  fake_->Fail(Status::Unavailable("cannot reach http://127.0.0.1:7480: connection reset"));  // reply lost
  fake_->Respond(404, S3ErrorXml("NoSuchUpload"));  // the retry: already completed
  fake_->Respond(200, "", {{"content-length", "1"}, {"etag", "\"" + expected + "\""}});  // confirming HEAD
  fake_->Respond(200, "", {{"content-length", "1"}, {"etag", "\"" + expected + "\""}});  // final HEAD
  auto upload = store->StartMultipart("k");
  ASSERT_OK(upload);
  ASSERT_OK((*upload)->UploadPart(1, "x"));
  auto done = (*upload)->Complete();
  ASSERT_OK(done);
  EXPECT_EQ(done->etag, expected);
  EXPECT_EQ(fake_->pending(), 0u);
  upload->reset();  // completed: no abort is sent
  EXPECT_EQ(fake_->requests().size(), 6u);
}

TEST_F(S3StoreTest, CreateRejectsBadOptions) {
  FakeClock clock;
  S3StoreOptions good{.bucket = "b-1.x", .endpoint = "http://h:1", .credentials = {"a", "s", ""}};
  EXPECT_OK(S3Store::Create(good, std::make_unique<FakeTransport>(), &clock, nullptr));
  for (const char* bucket : {"B", "ab", "-abc", "abc-", "has_underscore"}) {
    S3StoreOptions o = good;
    o.bucket = bucket;
    SCOPED_TRACE(bucket);
    EXPECT_STATUS(S3Store::Create(o, std::make_unique<FakeTransport>(), &clock, nullptr), kInvalidArgument);
  }
  for (const char* endpoint : {"127.0.0.1:7480", "ftp://h", "http://h/path", "http://"}) {
    S3StoreOptions o = good;
    o.endpoint = endpoint;
    SCOPED_TRACE(endpoint);
    EXPECT_STATUS(S3Store::Create(o, std::make_unique<FakeTransport>(), &clock, nullptr), kInvalidArgument);
  }
  S3StoreOptions no_creds = good;
  no_creds.credentials = {};
  EXPECT_STATUS(S3Store::Create(no_creds, std::make_unique<FakeTransport>(), &clock, nullptr),
                kUnauthenticated);
}

}  // namespace
}  // namespace ava::store
