#include "fs/part_streamer.h"

#include <fcntl.h>

#include <chrono>
#include <thread>

#include "fs_test_env.h"
#include "store/fault_injecting_store.h"
#include "store/memory_store.h"

namespace ava::fs {
namespace {

using store::StoreOp;
using testing::RandomBytes;

constexpr uint64_t kPart = 64 * 1024;

class PartStreamerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fd_ = UniqueFd(::open(dir_.Sub("staging").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    ASSERT_TRUE(fd_.valid());
    auto made = PartStreamer::Create(&store_, "ckpt.pt", fd_.get(), kPart, 3, &pool_);
    ASSERT_OK(made);
    streamer_ = *made;
  }
  // What a writer does: the bytes into the staging file, then the streamer hears of it.
  void Write(uint64_t offset, const std::string& data) {
    ASSERT_OK(PWriteAll(fd_.get(), data, offset));
    file_ = std::max<uint64_t>(file_, offset + data.size());
    if (content_.size() < file_) content_.resize(file_, '\0');
    content_.replace(offset, data.size(), data);
    streamer_->Wrote(offset, offset + data.size(), file_);
  }
  void WaitForEarlyParts(uint64_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (streamer_->parts_sent_early() < n && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ASSERT_EQ(streamer_->parts_sent_early(), n);
  }
  std::string Object() {
    Result<store::GetResult> g = mem_.Get({.key = "ckpt.pt"});
    return g.ok() ? g->data : "<" + g.status().ToString() + ">";
  }

  ava::testing::TempDir dir_;
  store::MemoryStore mem_{"durable"};
  store::FaultInjectingStore store_{&mem_};
  ThreadPool pool_{3, "test-parts"};
  UniqueFd fd_;
  std::shared_ptr<PartStreamer> streamer_;
  uint64_t file_ = 0;
  std::string content_;
};

TEST_F(PartStreamerTest, FinishedPartsGoUpWhileWritingAndCloseSendsOnlyTheRest) {
  const std::string data = RandomBytes(5 * kPart + 1000, 1);
  for (uint64_t off = 0; off < data.size(); off += 10000) Write(off, data.substr(off, 10000));
  WaitForEarlyParts(5);
  EXPECT_STATUS(mem_.Head("ckpt.pt"), kNotFound);  // nothing visible before Finish
  store_.ResetCounts();
  Result<store::ObjectInfo> done = streamer_->Finish(data.size());
  ASSERT_OK(done);
  EXPECT_EQ(store_.Count(StoreOp::kUploadPart), 1u);  // only the short last part was left
  EXPECT_EQ(Object(), data);
}

TEST_F(PartStreamerTest, APartRewrittenAfterItWentUpIsSentAgain) {
  const std::string data = RandomBytes(3 * kPart, 2);
  Write(0, data);
  WaitForEarlyParts(3);
  Write(kPart + 17, "rewritten in place");  // ends inside part 2: not queued, dirty
  store_.ResetCounts();
  ASSERT_OK(streamer_->Finish(file_));
  EXPECT_EQ(store_.Count(StoreOp::kUploadPart), 1u);
  EXPECT_EQ(Object(), content_);
}

TEST_F(PartStreamerTest, AFailedEarlySendIsRetriedAtFinish) {
  store_.FailNext(StoreOp::kUploadPart, Status::Unavailable("injected"), 1);
  const std::string data = RandomBytes(2 * kPart + 5, 3);
  Write(0, data);
  // One of the two early sends failed; Finish sends it (and the last part) again.
  WaitForEarlyParts(1);
  ASSERT_OK(streamer_->Finish(data.size()));
  EXPECT_EQ(Object(), data);
}

TEST_F(PartStreamerTest, AFileThatShrankBelowASentPartIsRefusedSoTheCallerPutsItWhole) {
  Write(0, RandomBytes(3 * kPart, 4));
  WaitForEarlyParts(3);
  ASSERT_EQ(::ftruncate(fd_.get(), static_cast<off_t>(kPart + 10)), 0);
  EXPECT_STATUS(streamer_->Finish(kPart + 10), kFailedPrecondition);
  streamer_->Abandon();
  EXPECT_STATUS(mem_.Head("ckpt.pt"), kNotFound);
  EXPECT_EQ(store_.Count(StoreOp::kCompleteMultipart), 0u);
}

TEST_F(PartStreamerTest, AbandonSendsNothingMore) {
  Write(0, RandomBytes(2 * kPart, 5));
  streamer_->Abandon();
  uint64_t parts = store_.Count(StoreOp::kUploadPart);
  Write(2 * kPart, RandomBytes(2 * kPart, 6));
  pool_.Shutdown();  // runs whatever was queued
  EXPECT_EQ(store_.Count(StoreOp::kUploadPart), parts);
  EXPECT_STATUS(mem_.Head("ckpt.pt"), kNotFound);
}

}  // namespace
}  // namespace ava::fs
