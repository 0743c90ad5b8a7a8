#include "store/transfer.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <string>

#include "common/file_util.h"
#include "store/fault_injecting_store.h"
#include "store/memory_store.h"
#include "test_util.h"

namespace ava::store {
namespace {

class TransferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bytes_.resize(10 * kPart + 5);
    for (size_t i = 0; i < bytes_.size(); ++i) bytes_[i] = static_cast<char>(i % 253);
    ASSERT_OK(WriteFileAtomic(dir_.Sub("f"), bytes_));
    fd_ = UniqueFd(::open(dir_.Sub("f").c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(fd_.valid());
  }

  static constexpr uint64_t kPart = 4096;
  ava::testing::TempDir dir_;
  std::string bytes_;
  UniqueFd fd_;
  MemoryStore mem_{"t"};
  FaultInjectingStore store_{&mem_};
};

TEST_F(TransferTest, OneFailedPartAbortsTheUploadAndTheOldObjectStays) {
  ASSERT_OK(mem_.Put("k", "old"));
  store_.FailNext(StoreOp::kUploadPart, Status::Unavailable("injected"), 1);
  Result<ObjectInfo> r = PutFile(store_, "k", fd_.get(), bytes_.size(), {.part_size = kPart, .streams = 3});
  EXPECT_STATUS(r, kUnavailable);
  Result<GetResult> now = mem_.Get({.key = "k"});
  ASSERT_OK(now);
  EXPECT_EQ(now->data, "old");
  EXPECT_EQ(store_.Count(StoreOp::kCompleteMultipart), 0u);
}

TEST_F(TransferTest, EveryPartIsSentOnceWhateverTheNumberOfStreams) {
  for (int streams : {1, 2, 11, 64}) {
    store_.ResetCounts();
    ASSERT_OK(PutFile(store_, "k", fd_.get(), bytes_.size(), {.part_size = kPart, .streams = streams}));
    EXPECT_EQ(store_.Count(StoreOp::kUploadPart), 11u) << streams << " streams";
    Result<GetResult> got = mem_.Get({.key = "k"});
    ASSERT_OK(got);
    EXPECT_EQ(got->data, bytes_) << streams << " streams";
  }
}

TEST_F(TransferTest, AFileShorterThanTheSizeGivenIsAnErrorNotATruncatedObject) {
  Result<ObjectInfo> r =
      PutFile(store_, "k", fd_.get(), bytes_.size() + 10, {.part_size = kPart, .streams = 2});
  EXPECT_STATUS(r, kIOError);
  EXPECT_STATUS(mem_.Head("k"), kNotFound);
  EXPECT_STATUS(PutFile(store_, "k", fd_.get(), 10, {.part_size = 0, .streams = 2}), kInvalidArgument);
}

TEST_F(TransferTest, CopyAcrossMovesEveryPartAndPinsTheSourceVersion) {
  MemoryStore target("target");
  ASSERT_OK(mem_.Put("src", bytes_));
  Result<ObjectInfo> info = mem_.Head("src");
  ASSERT_OK(info);
  for (int streams : {1, 4}) {
    Result<uint64_t> copied =
        CopyAcross(store_, target, *info, "dst", {.part_size = kPart, .streams = streams});
    ASSERT_OK(copied);
    EXPECT_EQ(*copied, bytes_.size());
    Result<GetResult> got = target.Get({.key = "dst"});
    ASSERT_OK(got);
    EXPECT_EQ(got->data, bytes_) << streams << " streams";
  }
  // Replaced after the HEAD: the copy fails rather than mixing versions, and "dst" keeps its bytes.
  ASSERT_OK(mem_.Put("src", std::string(bytes_.size(), 'x')));
  EXPECT_STATUS(CopyAcross(store_, target, *info, "dst", {.part_size = kPart, .streams = 4}),
                kFailedPrecondition);
  Result<GetResult> kept = target.Get({.key = "dst"});
  ASSERT_OK(kept);
  EXPECT_EQ(kept->data, bytes_);
  // Small and empty objects go in one PUT.
  ASSERT_OK(mem_.Put("empty", ""));
  Result<ObjectInfo> empty = mem_.Head("empty");
  ASSERT_OK(empty);
  ASSERT_OK(CopyAcross(store_, target, *empty, "empty", {.part_size = kPart, .streams = 4}));
  EXPECT_EQ(target.Get({.key = "empty"})->data, "");
}

}  // namespace
}  // namespace ava::store
