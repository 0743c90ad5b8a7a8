#include "fs/write_back.h"

#include <thread>

#include "fs_test_env.h"
#include "store/fault_injecting_store.h"
#include "store/memory_store.h"

namespace ava::fs {
namespace {

using testing::RandomBytes;

std::string ReadObject(store::ObjectStore& s, const std::string& key) {
  store::GetRequest r;
  r.key = key;
  Result<store::GetResult> g = s.Get(r);
  return g.ok() ? g->data : "<" + g.status().ToString() + ">";
}

class WriteBackTest : public ::testing::Test {
 protected:
  void Open(uint64_t capacity = 0, bool with_cloud = true, Nanos delay = std::chrono::seconds(30)) {
    ASSERT_OK(OpenStatus(capacity, with_cloud, delay));
  }
  Status OpenStatus(uint64_t capacity = 0, bool with_cloud = true, Nanos delay = std::chrono::seconds(30)) {
    wb_.reset();
    WritebackConfig c;
    c.state_dir = dir_.Sub("state");
    c.upload_delay = delay;
    c.durable_capacity = capacity;
    c.durable_high_watermark = 0.8;
    c.durable_low_watermark = 0.5;
    c.staging_memory = staging_memory_;
    auto opened = WriteBack::Open(c, "out", &durable_, with_cloud ? &cloud_ : nullptr,
                                  WritebackEnv{&clock_, &log_, nullptr, boot_id_});
    if (!opened.ok()) return opened.status();
    wb_ = std::move(*opened);
    return Status::OK();
  }
  // Writes a whole file through a writer handle and closes it (close commits).
  Status WriteFile(const std::string& path, const std::string& data) {
    AVA_ASSIGN_OR_RETURN(std::shared_ptr<StagedFile> f, wb_->OpenWriter(path, true, true));
    Status s = wb_->Write(*f, 0, data);
    Status c = wb_->CloseWriter(f);
    return s.ok() ? c : s;
  }
  size_t Upload() { return wb_->uploader().RunUntilIdle(/*ignore_delay=*/true); }

  ava::testing::TempDir dir_;
  FakeClock clock_;
  CapturingLogger log_;
  store::MemoryStore durable_mem_{"durable", &clock_};
  store::MemoryStore cloud_mem_{"cloud", &clock_};
  store::FaultInjectingStore durable_{&durable_mem_, &clock_};
  store::FaultInjectingStore cloud_{&cloud_mem_, &clock_};
  std::unique_ptr<WriteBack> wb_;
  uint64_t staging_memory_ = WritebackConfig{}.staging_memory;
  std::string boot_id_ = "boot-1";
};

// What the local disk holds at the moment the machine loses power: the journal as written so far.
class JournalImage {
 public:
  explicit JournalImage(const std::string& state) : state_(state) {
    for (const char* f : {"journal.db", "journal.db-wal"}) {
      Result<std::string> bytes = ReadFile(state_ + "/" + f);
      if (bytes.ok()) files_.emplace_back(f, *bytes);
    }
  }
  // Puts the disk back as it was (the -shm index is rebuilt by SQLite).
  void Restore() const {
    ::unlink((state_ + "/journal.db-shm").c_str());
    for (const auto& [name, bytes] : files_) ASSERT_OK(WriteFileAtomic(state_ + "/" + name, bytes));
  }

 private:
  std::string state_;
  std::vector<std::pair<std::string, std::string>> files_;
};

TEST_F(WriteBackTest, CloseMakesTheFileDurableAndTheUploadFollowsAfterTheDelay) {
  Open();
  const std::string data = RandomBytes(100000, 1);
  ASSERT_OK(WriteFile("run/model.pt", data));
  EXPECT_EQ(ReadObject(durable_mem_, "run/model.pt"), data);  // durable at close
  EXPECT_STATUS(cloud_mem_.Head("run/model.pt"), kNotFound);  // not uploaded yet
  EXPECT_EQ(ReadObject(*wb_->view(), "run/model.pt"), data);  // readers see it
  EXPECT_EQ(wb_->Stats().queue_length, 1u);
  EXPECT_EQ(wb_->Stats().dirty_bytes, data.size());
  EXPECT_EQ(wb_->uploader().RunUntilIdle(false), 0u);  // the delay has not passed
  clock_.Advance(std::chrono::seconds(31));
  EXPECT_EQ(wb_->uploader().RunUntilIdle(false), 1u);
  EXPECT_EQ(ReadObject(cloud_mem_, "run/model.pt"), data);
  EXPECT_EQ(wb_->Stats().queue_length, 0u);
  EXPECT_EQ(wb_->Stats().dirty_bytes, 0u);
}

TEST_F(WriteBackTest, LargeFilesGoThroughMultipartBothWays) {
  Open();
  const std::string data = RandomBytes(40 << 20, 2);  // > 16 MiB part size
  ASSERT_OK(WriteFile("big.bin", data));
  EXPECT_GE(durable_.Count(store::StoreOp::kUploadPart), 3u);
  Upload();
  EXPECT_GE(cloud_.Count(store::StoreOp::kUploadPart), 3u);
  EXPECT_TRUE(ReadObject(cloud_mem_, "big.bin") == data);
}

TEST_F(WriteBackTest, ALargeFileWrittenInPiecesGoesUpWhileBeingWrittenAndArrivesWhole) {
  Open();
  const std::string data = RandomBytes(50 << 20, 7);  // a bit more than 3 parts of 16 MiB
  Result<std::shared_ptr<StagedFile>> f = wb_->OpenWriter("ckpt.pt", true, true);
  ASSERT_OK(f);
  for (size_t off = 0; off < data.size(); off += 1 << 20)
    ASSERT_OK(wb_->Write(**f, off, data.substr(off, 1 << 20)));
  // Renamed while open: what went up under the old name is dropped, the file arrives under the new one.
  ASSERT_OK(wb_->Rename("ckpt.pt", "final.pt"));
  ASSERT_OK(wb_->Write(**f, data.size(), "tail"));
  ASSERT_OK(wb_->CloseWriter(*f));
  EXPECT_TRUE(ReadObject(durable_mem_, "final.pt") == data + "tail");
  EXPECT_STATUS(durable_mem_.Head("ckpt.pt"), kNotFound);
  Upload();
  EXPECT_TRUE(ReadObject(cloud_mem_, "final.pt") == data + "tail");
  EXPECT_STATUS(cloud_mem_.Head("ckpt.pt"), kNotFound);
}

TEST_F(WriteBackTest, SmallFilesAreStagedInMemoryWhileThereIsRoomAndOnDiskAfter) {
  staging_memory_ = 2 * WritebackConfig::kMemoryStagedFileMax;  // room for two files
  Open();
  std::vector<std::shared_ptr<StagedFile>> open;
  for (const char* path : {"a", "b", "c"}) {
    Result<std::shared_ptr<StagedFile>> f = wb_->OpenWriter(path, true, true);
    ASSERT_OK(f);
    ASSERT_OK(wb_->Write(**f, 0, std::string("bytes of ") + path));
    open.push_back(*f);
  }
  EXPECT_FALSE(open[0]->on_disk());
  EXPECT_FALSE(open[1]->on_disk());
  EXPECT_TRUE(open[2]->on_disk());
  EXPECT_EQ(wb_->Stats().staging_memory_bytes, 2 * WritebackConfig::kMemoryStagedFileMax);
  // One grows past what RAM may hold for it: it moves to disk and commits whole.
  const std::string big = RandomBytes(WritebackConfig::kMemoryStagedFileMax + 1, 9);
  ASSERT_OK(wb_->Write(*open[0], 10, big));
  EXPECT_TRUE(open[0]->on_disk());
  for (const auto& f : open) ASSERT_OK(wb_->CloseWriter(f));
  open.clear();
  EXPECT_EQ(ReadObject(durable_mem_, "a"), std::string("bytes of a").substr(0, 10) + big);
  EXPECT_EQ(ReadObject(durable_mem_, "b"), "bytes of b");
  EXPECT_EQ(ReadObject(durable_mem_, "c"), "bytes of c");
  EXPECT_EQ(wb_->Stats().staging_memory_bytes, 0u);
}

TEST_F(WriteBackTest, WithoutStagingMemoryEveryFileIsStagedOnDisk) {
  staging_memory_ = 0;
  Open();
  Result<std::shared_ptr<StagedFile>> f = wb_->OpenWriter("log.txt", true, true);
  ASSERT_OK(f);
  EXPECT_TRUE((*f)->on_disk());
  ASSERT_OK(wb_->Write(**f, 0, "line\n"));
  ASSERT_OK(wb_->CloseWriter(*f));
  EXPECT_EQ(ReadObject(durable_mem_, "log.txt"), "line\n");
}

TEST_F(WriteBackTest, ChangesToOnePathReachTheCloudInOrder) {
  Open();
  std::vector<std::string> cloud_ops;
  std::mutex mu;
  cloud_.SetHook([&](store::StoreOp op, const std::string& key) {
    std::lock_guard<std::mutex> lock(mu);
    cloud_ops.push_back(std::string(store::StoreOpName(op)) + " " + key);
  });
  ASSERT_OK(WriteFile("a", "v1"));
  ASSERT_OK(WriteFile("a", "v2"));
  ASSERT_OK(wb_->Rename("a", "b"));
  ASSERT_OK(WriteFile("keep", "k"));
  ASSERT_OK(wb_->Unlink("b"));
  Upload();
  EXPECT_STATUS(cloud_mem_.Head("a"), kNotFound);
  EXPECT_STATUS(cloud_mem_.Head("b"), kNotFound);
  EXPECT_EQ(ReadObject(cloud_mem_, "keep"), "k");
  // For "a" and "b": the puts of "a" (superseded ones are skipped) come before the rename's copy of
  // "b" and delete of "a", which come before the delete of "b".
  auto pos = [&](const std::string& s) {
    return std::find(cloud_ops.begin(), cloud_ops.end(), s) - cloud_ops.begin();
  };
  EXPECT_LT(pos("delete a"), pos("delete b"));
  EXPECT_EQ(std::count(cloud_ops.begin(), cloud_ops.end(), "delete b"), 1);
  EXPECT_EQ(wb_->Stats().queue_length, 0u);
}

TEST_F(WriteBackTest, CloudDownRetriesWithBackoffAndEverythingArrivesExactlyOnce) {
  Open();
  cloud_.FailAlways(store::StoreOp::kPut, Status::Unavailable("connection refused"));
  for (int i = 0; i < 20; ++i) ASSERT_OK(WriteFile("f" + std::to_string(i), "data" + std::to_string(i)));
  EXPECT_GE(Upload(), 1u);  // tries, fails, backs off
  WritebackStats st = wb_->Stats();
  EXPECT_EQ(st.queue_length, 20u);
  EXPECT_GT(st.upload_errors, 0u);
  EXPECT_EQ(wb_->uploader().RunUntilIdle(false), 0u);  // backing off: nothing due
  cloud_.ClearFaults();
  cloud_.ResetCounts();
  clock_.Advance(std::chrono::minutes(2));
  EXPECT_EQ(wb_->uploader().RunUntilIdle(false), 20u);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(ReadObject(cloud_mem_, "f" + std::to_string(i)), "data" + std::to_string(i));
  EXPECT_EQ(cloud_.Count(store::StoreOp::kPut), 20u);  // each exactly once
  EXPECT_TRUE(log_.Contains("connection refused"));
}

TEST_F(WriteBackTest, FlushOfOnePathGoesAheadOfALongDelayedQueue) {
  Open();
  for (int i = 0; i < 300; ++i) ASSERT_OK(WriteFile("a/" + std::to_string(i), "a"));
  ASSERT_OK(WriteFile("b/x", "b"));
  // avafs flush b/: makes b/ due at once (no uploader thread runs here, so it cannot wait).
  EXPECT_STATUS(wb_->Flush("b/", Nanos(0)), kDeadlineExceeded);
  EXPECT_EQ(wb_->uploader().RunUntilIdle(false), 1u);
  EXPECT_EQ(ReadObject(cloud_mem_, "b/x"), "b");
  EXPECT_STATUS(cloud_mem_.Head("a/0"), kNotFound);  // the rest still waits for its delay
  EXPECT_EQ(wb_->Stats().queue_length, 300u);
  clock_.Advance(std::chrono::seconds(31));
  EXPECT_EQ(wb_->uploader().RunUntilIdle(false), 300u);
  EXPECT_EQ(ReadObject(cloud_mem_, "a/299"), "a");
}

TEST_F(WriteBackTest, PendingUploadsSurviveARestart) {
  Open();
  for (int i = 0; i < 10; ++i) ASSERT_OK(WriteFile("r/" + std::to_string(i), std::to_string(i)));
  ASSERT_OK(wb_->Unlink("r/3"));
  wb_.reset();  // no uploads happened; as after kill -9, only the journal remembers
  Open();
  EXPECT_EQ(wb_->Stats().queue_length, 11u);
  EXPECT_STATUS(wb_->view()->Head("r/3"), kNotFound);
  Upload();
  for (int i = 0; i < 10; ++i) {
    if (i == 3) {
      EXPECT_STATUS(cloud_mem_.Head("r/3"), kNotFound);
    } else {
      EXPECT_EQ(ReadObject(cloud_mem_, "r/" + std::to_string(i)), std::to_string(i));
    }
  }
}

TEST_F(WriteBackTest, AfterAPowerLossFilesTheJournalLostAreFoundOnTheDurableTierAndUploaded) {
  Open();
  ASSERT_OK(WriteFile("runs/kept.bin", "kept"));
  ASSERT_OK(WriteFile("runs/old.bin", "old"));
  Upload();
  JournalImage at_power_loss(dir_.Sub("state"));
  // Commits whose journal entries had not reached the disk, though their files reached the
  // durable tier: a new file, a rewrite of an uploaded one, and a new directory.
  ASSERT_OK(WriteFile("runs/lost.bin", "lost"));
  ASSERT_OK(WriteFile("runs/old.bin", "new"));
  ASSERT_OK(wb_->Mkdir("runs/sub/"));
  wb_.reset();
  at_power_loss.Restore();

  boot_id_ = "boot-2";  // the machine came back up…
  durable_.FailNext(store::StoreOp::kList, Status::Unavailable("radosgw is still starting"));
  EXPECT_FALSE(OpenStatus().ok());  // …before the durable tier: the start fails, the suspicion stays
  Open();
  Upload();
  EXPECT_EQ(ReadObject(cloud_mem_, "runs/lost.bin"), "lost");
  EXPECT_EQ(ReadObject(cloud_mem_, "runs/old.bin"), "new");
  EXPECT_TRUE(cloud_mem_.Head("runs/sub/").ok());
  EXPECT_EQ(ReadObject(cloud_mem_, "runs/kept.bin"), "kept");
  EXPECT_EQ(wb_->Stats().durable_used_bytes, 4u + 3u + 4u);  // all counted on the durable tier
  EXPECT_TRUE(log_.Contains("queued for upload again"));
}

TEST_F(WriteBackTest, AfterAKillTheDurableTierIsNotListed) {
  Open();
  ASSERT_OK(WriteFile("a.bin", "a"));
  JournalImage at_kill(dir_.Sub("state"));  // a kill -9 loses nothing the kernel was given
  wb_.reset();
  at_kill.Restore();
  Open();  // same boot
  EXPECT_EQ(durable_.Count(store::StoreOp::kList), 0u);
  EXPECT_EQ(wb_->Stats().queue_length, 1u);
}

TEST_F(WriteBackTest, ReplayFinishesARenameACrashInterrupted) {
  ASSERT_OK(durable_mem_.Put("from", "payload").status());
  ASSERT_OK(MakeDirs(dir_.Sub("state"), 0700));
  {
    auto j = WritebackJournal::Open(dir_.Sub("state") + "/journal.db", &clock_, "boot-1");
    ASSERT_OK(j);
    ASSERT_OK((*j)->SetDurableSize("from", 7));
    ASSERT_OK((*j)->RecordRename("from", "to", 7, 0));  // journaled; the durable tier not yet changed
  }
  Open();
  EXPECT_EQ(ReadObject(durable_mem_, "to"), "payload");
  EXPECT_STATUS(durable_mem_.Head("from"), kNotFound);
  Upload();
  EXPECT_EQ(ReadObject(cloud_mem_, "to"), "payload");
}

TEST_F(WriteBackTest, FullDurableTierRefusesWritesUntilUploadsFreeSpace) {
  Open(/*capacity=*/1 << 20);
  ASSERT_OK(WriteFile("a", RandomBytes(600 << 10, 3)));
  Result<std::shared_ptr<StagedFile>> b = wb_->OpenWriter("b", true, true);
  ASSERT_OK(b);
  Status s = wb_->Write(**b, 0, RandomBytes(600 << 10, 4));
  ASSERT_STATUS(s, kNoSpace);  // "a" is not uploaded yet and cannot be evicted
  EXPECT_NE(s.message().find("not yet uploaded"), std::string::npos) << s;
  Upload();  // "a" reaches the cloud: its durable copy may go
  ASSERT_OK(wb_->Write(**b, 0, RandomBytes(600 << 10, 4)));
  ASSERT_OK(wb_->CloseWriter(*b));
  EXPECT_STATUS(durable_mem_.Head("a"), kNotFound);             // evicted
  EXPECT_EQ(ReadObject(*wb_->view(), "a").size(), 600u << 10);  // still readable, from the cloud
  EXPECT_LE(wb_->Stats().durable_used_bytes, 1u << 20);
}

TEST_F(WriteBackTest, WithoutACloudNothingIsEvictedAndFullMeansNoSpace) {
  Open(/*capacity=*/1 << 20, /*with_cloud=*/false);
  ASSERT_OK(WriteFile("a", RandomBytes(700 << 10, 5)));
  EXPECT_EQ(wb_->Stats().queue_length, 0u);
  Result<std::shared_ptr<StagedFile>> b = wb_->OpenWriter("b", true, true);
  ASSERT_OK(b);
  EXPECT_STATUS(wb_->Write(**b, 0, RandomBytes(700 << 10, 6)), kNoSpace);
  ASSERT_OK(wb_->CloseWriter(*b));
  wb_->EvictOnce();
  EXPECT_OK(durable_mem_.Head("a"));
}

TEST_F(WriteBackTest, EvictionNeverTouchesWhatIsNotUploaded) {
  Open(/*capacity=*/1 << 20);
  ASSERT_OK(WriteFile("a", RandomBytes(900 << 10, 7)));  // above the high watermark, not uploaded
  cloud_.FailAlways(store::StoreOp::kPut, Status::Unavailable("down"));
  Upload();
  wb_->EvictOnce();
  EXPECT_OK(durable_mem_.Head("a"));
  EXPECT_EQ(wb_->Stats().evictions, 0u);
}

TEST_F(WriteBackTest, DeletedCloudFilesStayHiddenUntilTheDeleteIsUploaded) {
  ASSERT_OK(cloud_mem_.Put("old/x", "from before").status());
  ASSERT_OK(cloud_mem_.Put("old/y", "from before").status());
  Open();
  ASSERT_OK(wb_->view()->Head("old/x"));
  ASSERT_OK(wb_->Unlink("old/x"));
  EXPECT_STATUS(wb_->view()->Head("old/x"), kNotFound);
  store::ListRequest req;
  req.prefix = "old/";
  Result<store::ListPage> page = store::ListAll(*wb_->view(), req);
  ASSERT_OK(page);
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "old/y");
  ASSERT_OK(wb_->Unlink("old/y"));
  req.prefix = "";
  req.delimiter = "/";
  page = store::ListAll(*wb_->view(), req);
  ASSERT_OK(page);
  EXPECT_TRUE(page->common_prefixes.empty());  // nothing visible left under old/
  Upload();
  EXPECT_STATUS(cloud_mem_.Head("old/x"), kNotFound);
  EXPECT_STATUS(wb_->view()->Head("old/x"), kNotFound);
}

TEST_F(WriteBackTest, RenamingACloudOnlyFileCopiesItThroughTheDurableTier) {
  ASSERT_OK(cloud_mem_.Put("ckpt/tmp", "weights").status());
  Open();
  ASSERT_OK(wb_->Rename("ckpt/tmp", "ckpt/final"));
  EXPECT_EQ(ReadObject(*wb_->view(), "ckpt/final"), "weights");
  EXPECT_STATUS(wb_->view()->Head("ckpt/tmp"), kNotFound);
  Upload();
  EXPECT_EQ(ReadObject(cloud_mem_, "ckpt/final"), "weights");
  EXPECT_STATUS(cloud_mem_.Head("ckpt/tmp"), kNotFound);
}

TEST_F(WriteBackTest, RenameDirMovesEveryFile) {
  Open();
  ASSERT_OK(wb_->Mkdir("d/"));
  ASSERT_OK(WriteFile("d/a", "1"));
  ASSERT_OK(WriteFile("d/sub/b", "2"));
  ASSERT_OK(wb_->RenameDir("d/", "e/"));
  EXPECT_EQ(ReadObject(*wb_->view(), "e/a"), "1");
  EXPECT_EQ(ReadObject(*wb_->view(), "e/sub/b"), "2");
  EXPECT_STATUS(wb_->view()->Head("d/a"), kNotFound);
  Upload();
  store::ListRequest req;
  Result<store::ListPage> all = store::ListAll(cloud_mem_, req);
  ASSERT_OK(all);
  std::vector<std::string> keys;
  for (const auto& o : all->objects) keys.push_back(o.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"e/", "e/a", "e/sub/b"}));  // no orphans of d/
}

TEST_F(WriteBackTest, ConcurrentWritersToDifferentFiles) {
  Open();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        std::string path = "w" + std::to_string(t) + "/" + std::to_string(i);
        ASSERT_OK(WriteFile(path, path + RandomBytes(1000 + i, t * 100 + i)));
      }
    });
  }
  for (auto& th : threads) th.join();
  Upload();
  for (int t = 0; t < 8; ++t) {
    for (int i = 0; i < 25; ++i) {
      std::string path = "w" + std::to_string(t) + "/" + std::to_string(i);
      EXPECT_EQ(ReadObject(cloud_mem_, path), path + RandomBytes(1000 + i, t * 100 + i));
    }
  }
}

TEST_F(WriteBackTest, FailedDurableWriteIsReportedAndNotQueued) {
  Open();
  durable_.FailNext(store::StoreOp::kPut, Status::NoSpace("disk full"));
  Status s = WriteFile("x", "data");
  EXPECT_STATUS(s, kNoSpace);
  EXPECT_EQ(wb_->Stats().queue_length, 0u);
  EXPECT_STATUS(wb_->view()->Head("x"), kNotFound);
}

}  // namespace
}  // namespace ava::fs
