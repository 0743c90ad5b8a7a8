// PosixStore behaviour beyond the contract suite: key rules, the on-disk layout and etags of files
// that other programs write.
#include "store/posix_store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "common/file_util.h"
#include "store/md5.h"
#include "test_util.h"

namespace ava::store {
namespace {

class PosixStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = PosixStore::Open(dir_.path());
    ASSERT_OK(store);
    store_ = std::move(store).value();
  }
  void WriteExternally(const std::string& rel, const std::string& data) {
    std::filesystem::create_directories(std::filesystem::path(dir_.Sub(rel)).parent_path());
    std::ofstream(dir_.Sub(rel), std::ios::binary | std::ios::trunc) << data;
  }

  ava::testing::TempDir dir_;
  std::unique_ptr<PosixStore> store_;
};

TEST_F(PosixStoreTest, RejectsKeysThatAreNotCleanRelativePaths) {
  for (const char* key : {"../escape", "a/../../etc/passwd", "a/./b", "a//b", "/", "/abs", ".", "..",
                          ".ava-store/tmp/x", ".ava-store", "a/.ava-dir"}) {
    EXPECT_STATUS(store_->Put(key, "x"), kInvalidArgument);
    EXPECT_STATUS(store_->Head(key), kInvalidArgument);
    EXPECT_STATUS(store_->Get({.key = key}), kInvalidArgument);
    EXPECT_STATUS(store_->Delete(key), kInvalidArgument);
  }
  EXPECT_STATUS(store_->Put(std::string(256, 'n'), "x"), kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(DirName(dir_.path()) + "/escape"));
  // Dots inside names are fine.
  ASSERT_OK(store_->Put("a..b/.hidden/..c", "x"));
  ASSERT_OK(store_->Put(".ava-storex", "x"));
}

TEST_F(PosixStoreTest, DirectoryMarkersAreKeptAndListedLikeS3) {
  ASSERT_OK(store_->Put("empty/", ""));
  ASSERT_OK(store_->Put("full/x", "1"));
  ASSERT_OK(store_->Put("full/", ""));
  Result<ObjectInfo> head = store_->Head("empty/");
  ASSERT_OK(head);
  EXPECT_EQ(head->size, 0u);
  Result<ListPage> flat = ListAll(*store_, ListRequest{});
  ASSERT_OK(flat);
  std::vector<std::string> keys;
  for (const auto& o : flat->objects) keys.push_back(o.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"empty/", "full/", "full/x"}));
  Result<ListPage> top = ListAll(*store_, ListRequest{.delimiter = "/"});
  ASSERT_OK(top);
  EXPECT_EQ(top->common_prefixes, (std::vector<std::string>{"empty/", "full/"}));
  ASSERT_OK(store_->Delete("empty/"));
  EXPECT_STATUS(store_->Head("empty/"), kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("empty")));  // the empty directory went with it
  ASSERT_OK(store_->Delete("full/"));
  EXPECT_OK(store_->Head("full/x"));
}

TEST_F(PosixStoreTest, KeysMapToFilesUnderTheRoot) {
  ASSERT_OK(store_->Put("imagenet/train/n01/img 1.jpg", "jpeg bytes"));
  auto on_disk = ReadFile(dir_.Sub("imagenet/train/n01/img 1.jpg"));
  ASSERT_OK(on_disk);
  EXPECT_EQ(*on_disk, "jpeg bytes");
  EXPECT_EQ(store_->Describe(), "file://" + dir_.path());
}

TEST_F(PosixStoreTest, AnObjectCannotAlsoBeADirectory) {
  ASSERT_OK(store_->Put("a", "file"));
  EXPECT_STATUS(store_->Put("a/b", "under a file"), kFailedPrecondition);
  ASSERT_OK(store_->Put("d/e", "x"));
  EXPECT_STATUS(store_->Put("d", "over a directory"), kFailedPrecondition);
  EXPECT_STATUS(store_->Head("d"), kNotFound);  // a directory is not an object
  EXPECT_EQ(*ReadFile(dir_.Sub("a")), "file");
}

TEST_F(PosixStoreTest, DeleteRemovesDirectoriesLeftEmpty) {
  ASSERT_OK(store_->Put("x/y/z/1", "1"));
  ASSERT_OK(store_->Put("x/2", "2"));
  ASSERT_OK(store_->Delete("x/y/z/1"));
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("x/y")));
  EXPECT_TRUE(std::filesystem::exists(dir_.Sub("x/2")));
  // Now "x/y" can be an object.
  ASSERT_OK(store_->Put("x/y", "now a file"));
}

TEST_F(PosixStoreTest, FilesWrittenByOtherProgramsGetASynthesisedEtag) {
  WriteExternally("ext/file.bin", "external");
  auto head = store_->Head("ext/file.bin");
  ASSERT_OK(head);
  EXPECT_EQ(head->size, 8u);
  struct stat st;
  ASSERT_EQ(::stat(dir_.Sub("ext/file.bin").c_str(), &st), 0);
  int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  EXPECT_EQ(head->etag, fmt::format("{:x}-{:x}", mtime, 8));
  auto listed = store_->List({});
  ASSERT_OK(listed);
  ASSERT_EQ(listed->objects.size(), 1u);
  EXPECT_EQ(listed->objects[0].etag, head->etag);
}

TEST_F(PosixStoreTest, StoredEtagIsDroppedWhenAnotherProgramRewritesTheFile) {
  ASSERT_OK(store_->Put("f", "original"));
  EXPECT_EQ(store_->Head("f")->etag, Md5Hex("original"));
  // Rewritten in place: the xattr survives but no longer describes the content.
  WriteExternally("f", "rewritten by someone else");
  auto head = store_->Head("f");
  ASSERT_OK(head);
  EXPECT_NE(head->etag, Md5Hex("original"));
  EXPECT_EQ(head->size, 25u);
}

TEST_F(PosixStoreTest, InternalDirectoryIsNeverListedAndTemporariesAreCleanedUp) {
  ASSERT_OK(store_->Put("k", "v"));
  auto upload = store_->StartMultipart("pending");
  ASSERT_OK(upload);
  ASSERT_OK((*upload)->UploadPart(1, "part"));
  auto all = ListAll(*store_, {});
  ASSERT_OK(all);
  ASSERT_EQ(all->objects.size(), 1u);
  EXPECT_EQ(all->objects[0].key, "k");
  EXPECT_TRUE(all->common_prefixes.empty());
  ASSERT_OK((*upload)->Abort());
  EXPECT_TRUE(std::filesystem::is_empty(dir_.Sub(".ava-store/multipart")));
  EXPECT_TRUE(std::filesystem::is_empty(dir_.Sub(".ava-store/tmp")));
}

TEST_F(PosixStoreTest, OpenCleansStaleTemporariesOnly) {
  std::string stale = dir_.Sub(".ava-store/tmp/stale");
  std::string fresh = dir_.Sub(".ava-store/tmp/fresh");
  std::ofstream(stale) << "x";
  std::ofstream(fresh) << "x";
  std::filesystem::last_write_time(stale,
                                   std::filesystem::file_time_type::clock::now() - std::chrono::hours(48));
  ASSERT_OK(PosixStore::Open(dir_.path()));
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_TRUE(std::filesystem::exists(fresh));
}

TEST_F(PosixStoreTest, OpenNeedsAnExistingAbsoluteDirectory) {
  EXPECT_STATUS(PosixStore::Open("relative/dir"), kInvalidArgument);
  EXPECT_STATUS(PosixStore::Open(dir_.Sub("missing")), kNotFound);
  ASSERT_OK(store_->Put("plain", "x"));
  EXPECT_STATUS(PosixStore::Open(dir_.Sub("plain")), kFailedPrecondition);
  auto trailing = PosixStore::Open(dir_.path() + "/");
  ASSERT_OK(trailing);
  EXPECT_EQ((*trailing)->Describe(), "file://" + dir_.path());
}

TEST_F(PosixStoreTest, CopyKeepsTheSourceEtagForMultipartObjects) {
  auto upload = store_->StartMultipart("mp");
  ASSERT_OK(upload);
  ASSERT_OK((*upload)->UploadPart(1, "aaa"));
  ASSERT_OK((*upload)->UploadPart(2, "bb"));
  auto done = (*upload)->Complete();
  ASSERT_OK(done);
  EXPECT_EQ(done->etag, MultipartEtag({Md5Of("aaa"), Md5Of("bb")}));
  auto copy = store_->Copy("mp", "copy/of/mp");
  ASSERT_OK(copy);
  EXPECT_EQ(copy->etag, done->etag);
  EXPECT_EQ(store_->Head("copy/of/mp")->etag, done->etag);
}

}  // namespace
}  // namespace ava::store
