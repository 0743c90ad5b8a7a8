#include "store/s3_xml.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace ava::store {
namespace {

TEST(S3XmlTest, ParsesListObjectsV2Page) {
  const std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><Prefix>p/</Prefix><KeyCount>3</KeyCount><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter>
  <IsTruncated>true</IsTruncated>
  <Contents><Key>p/a &amp; b.txt</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>p/数据</Key><LastModified>2009-10-12T17:50:31.500Z</LastModified>
    <ETag>"0123-2"</ETag><Size>0</Size></Contents>
  <CommonPrefixes><Prefix>p/sub/</Prefix></CommonPrefixes>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>)";
  auto page = ParseListObjectsV2(xml);
  ASSERT_OK(page);
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "p/a & b.txt");
  EXPECT_EQ(page->objects[0].size, 434234u);
  EXPECT_EQ(page->objects[0].etag, "fba9dede5f27731c9771645a39863328");
  EXPECT_EQ(page->objects[0].mtime_ns, 1255369830LL * 1'000'000'000);
  EXPECT_EQ(page->objects[1].key, "p/数据");
  EXPECT_EQ(page->objects[1].etag, "0123-2");
  EXPECT_EQ(page->objects[1].mtime_ns, 1255369831LL * 1'000'000'000 + 500'000'000);
  EXPECT_EQ(page->common_prefixes, std::vector<std::string>{"p/sub/"});
  EXPECT_TRUE(page->is_truncated);
  EXPECT_EQ(page->next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(S3XmlTest, MalformedXmlIsAnError) {
  EXPECT_FALSE(ParseListObjectsV2("<ListBucketResult><Contents>").ok());
  EXPECT_FALSE(ParseListObjectsV2("<Other/>").ok());
  EXPECT_FALSE(ParseInitiateMultipartUpload("<InitiateMultipartUploadResult/>").ok());
}

TEST(S3XmlTest, ErrorDocuments) {
  const std::string xml =
      "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
      "<Key>k</Key><RequestId>tx1</RequestId></Error>";
  S3ErrorBody e = ParseS3Error(xml);
  EXPECT_EQ(e.code, "NoSuchKey");
  EXPECT_EQ(e.message, "The specified key does not exist.");
  EXPECT_EQ(e.request_id, "tx1");
  EXPECT_TRUE(IsS3ErrorDocument(xml));
  EXPECT_FALSE(IsS3ErrorDocument("<CompleteMultipartUploadResult/>"));
  EXPECT_EQ(ParseS3Error("").code, "");
  EXPECT_EQ(ParseS3Error("not xml").code, "");
}

TEST(S3XmlTest, MultipartDocuments) {
  auto id = ParseInitiateMultipartUpload(
      "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>2~abc</UploadId>"
      "</InitiateMultipartUploadResult>");
  ASSERT_OK(id);
  EXPECT_EQ(*id, "2~abc");
  EXPECT_EQ(BuildCompleteMultipartUpload({{1, "aa"}, {2, "bb"}}),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;aa&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;bb&quot;</ETag></Part></CompleteMultipartUpload>");
  auto etag = ParseCompleteMultipartUpload(
      "<CompleteMultipartUploadResult><Location>x</Location><ETag>\"3858f62230ac3c915f300c664312c11f-9\"</"
      "ETag>"
      "</CompleteMultipartUploadResult>");
  ASSERT_OK(etag);
  EXPECT_EQ(*etag, "3858f62230ac3c915f300c664312c11f-9");
}

TEST(S3XmlTest, DeleteObjectsEscapesKeys) {
  EXPECT_EQ(BuildDeleteObjects({"a<b>&'\""}),
            "<Delete><Quiet>true</Quiet><Object><Key>a&lt;b&gt;&amp;&apos;&quot;</Key></Object></Delete>");
  auto errors = ParseDeleteObjectsErrors(
      "<DeleteResult><Error><Key>k</Key><Code>AccessDenied</Code><Message>no</Message></Error></"
      "DeleteResult>");
  ASSERT_OK(errors);
  ASSERT_EQ(errors->size(), 1u);
  EXPECT_EQ((*errors)[0].first, "k");
}

}  // namespace
}  // namespace ava::store
