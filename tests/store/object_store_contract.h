// The ObjectStore contract suite: one set of TEST_P cases that every implementation must pass
// (object_store.h lists the promises). object_store_contract_test.cc instantiates it for
// MemoryStore, PosixStore and S3Store against a real RGW; a new store gets the whole suite by
// writing a StoreHarness and one INSTANTIATE_TEST_SUITE_P line.
#pragma once

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/file_util.h"
#include "store/md5.h"
#include "store/object_store.h"
#include "store/transfer.h"
#include "test_util.h"

namespace ava::store::contract {

// Gives each test a fresh, empty store and cleans up after it.
class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  // Non-empty: the reason the whole suite is skipped for this store (e.g. no S3 endpoint).
  virtual std::string SkipReason() { return ""; }
  // A fresh empty store for one test.
  virtual Result<std::unique_ptr<ObjectStore>> Open() = 0;
  // Called after each test, with the store that Open returned.
  virtual void Cleanup(ObjectStore& /*store*/) {}
  // A store whose bucket/root does not exist: opening it or using it must give NotFound.
  // NotSupported when the store has no such notion (memory).
  virtual Result<std::unique_ptr<ObjectStore>> OpenMissingBucket() = 0;
  // The smallest part size the store accepts for parts other than the last (S3: 5 MiB).
  virtual size_t MinPartSize() const { return 1; }
};

struct HarnessFactory {
  std::string name;
  std::function<std::unique_ptr<StoreHarness>()> make;
};

// Lets gtest (and ctest's test list) show "Memory" instead of the parameter's bytes.
inline void PrintTo(const HarnessFactory& factory, std::ostream* os) { *os << factory.name; }

inline std::string PrintHarnessName(const ::testing::TestParamInfo<HarnessFactory>& info) {
  return info.param.name;
}

class ObjectStoreContractTest : public ::testing::TestWithParam<HarnessFactory> {
 protected:
  void SetUp() override {
    harness_ = GetParam().make();
    std::string skip = harness_->SkipReason();
    if (!skip.empty()) GTEST_SKIP() << skip;
    Result<std::unique_ptr<ObjectStore>> store = harness_->Open();
    ASSERT_OK(store);
    store_ = std::move(store).value();
  }
  void TearDown() override {
    if (store_) harness_->Cleanup(*store_);
  }

  ObjectStore& store() { return *store_; }

  std::string GetAll(const std::string& key) {
    Result<GetResult> r = store_->Get({.key = key});
    EXPECT_OK(r);
    return r.ok() ? r->data : std::string("<error>");
  }

  static std::vector<std::string> Keys(const ListPage& page) {
    std::vector<std::string> keys;
    for (const ObjectInfo& o : page.objects) keys.push_back(o.key);
    return keys;
  }

  // Puts `keys` (content = the key) with 8 threads: the 2,500-key tests would be slow one by one
  // over HTTP.
  void PutMany(const std::vector<std::string>& keys) {
    std::atomic<size_t> next{0};
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (size_t i = next++; i < keys.size(); i = next++) {
          if (!store_->Put(keys[i], keys[i]).ok()) ++failures;
        }
      });
    }
    for (auto& th : threads) th.join();
    ASSERT_EQ(failures.load(), 0);
  }

  std::unique_ptr<StoreHarness> harness_;
  std::unique_ptr<ObjectStore> store_;
};

using std::string;
using std::vector;

TEST_P(ObjectStoreContractTest, PutHeadGetDeleteRoundTrip) {
  Result<ObjectInfo> put = store().Put("dir/hello.txt", "hello world");
  ASSERT_OK(put);
  EXPECT_EQ(put->key, "dir/hello.txt");
  EXPECT_EQ(put->size, 11u);
  EXPECT_EQ(put->etag, Md5Hex("hello world"));

  Result<ObjectInfo> head = store().Head("dir/hello.txt");
  ASSERT_OK(head);
  EXPECT_EQ(head->size, 11u);
  EXPECT_EQ(head->etag, put->etag);
  EXPECT_GT(head->mtime_ns, 0);

  Result<GetResult> get = store().Get({.key = "dir/hello.txt"});
  ASSERT_OK(get);
  EXPECT_EQ(get->data, "hello world");
  EXPECT_EQ(get->offset, 0u);
  EXPECT_EQ(get->info.size, 11u);
  EXPECT_EQ(get->info.etag, put->etag);

  ASSERT_OK(store().Delete("dir/hello.txt"));
  EXPECT_STATUS(store().Head("dir/hello.txt"), kNotFound);
  EXPECT_STATUS(store().Get({.key = "dir/hello.txt"}), kNotFound);
  // Deleting a missing key succeeds, as on S3.
  ASSERT_OK(store().Delete("dir/hello.txt"));
  ASSERT_OK(store().Delete("never/existed"));
}

TEST_P(ObjectStoreContractTest, OverwriteReplacesContentAndChangesEtag) {
  Result<ObjectInfo> first = store().Put("k", "version one");
  ASSERT_OK(first);
  Result<ObjectInfo> second = store().Put("k", "version two, longer");
  ASSERT_OK(second);
  EXPECT_NE(first->etag, second->etag);
  EXPECT_EQ(GetAll("k"), "version two, longer");
  Result<ObjectInfo> head = store().Head("k");
  ASSERT_OK(head);
  EXPECT_EQ(head->etag, second->etag);
  EXPECT_EQ(head->size, 19u);
}

TEST_P(ObjectStoreContractTest, MissingKeysAreNotFound) {
  EXPECT_STATUS(store().Head("nope"), kNotFound);
  EXPECT_STATUS(store().Get({.key = "nope"}), kNotFound);
  EXPECT_STATUS(store().Get({.key = "nope", .offset = 3, .length = 2}), kNotFound);
  EXPECT_STATUS(store().Copy("nope", "dst"), kNotFound);
  EXPECT_STATUS(store().Head("dst"), kNotFound);
}

TEST_P(ObjectStoreContractTest, MissingBucketIsNotFound) {
  Result<std::unique_ptr<ObjectStore>> missing = harness_->OpenMissingBucket();
  if (missing.status().code() == Code::kNotSupported) GTEST_SKIP() << "this store has no buckets";
  if (!missing.ok()) {
    EXPECT_STATUS(missing, kNotFound);
    return;
  }
  EXPECT_STATUS((*missing)->Head("k"), kNotFound);
  EXPECT_STATUS((*missing)->Get({.key = "k"}), kNotFound);
  EXPECT_STATUS((*missing)->List({}), kNotFound);
}

TEST_P(ObjectStoreContractTest, InvalidKeysAreRejected) {
  EXPECT_STATUS(store().Put("", "x"), kInvalidArgument);
  EXPECT_STATUS(store().Put("/leading/slash", "x"), kInvalidArgument);
  EXPECT_STATUS(store().Head(string(1025, 'k')), kInvalidArgument);
  EXPECT_STATUS(store().List({.max_keys = 0}), kInvalidArgument);
  EXPECT_STATUS(store().List({.max_keys = 1001}), kInvalidArgument);
}

TEST_P(ObjectStoreContractTest, RangedGets) {
  const string data = "0123456789";
  ASSERT_OK(store().Put("r", data));

  Result<GetResult> first = store().Get({.key = "r", .offset = 0, .length = 1});  // bytes=0-0
  ASSERT_OK(first);
  EXPECT_EQ(first->data, "0");
  EXPECT_EQ(first->offset, 0u);
  EXPECT_EQ(first->info.size, 10u);  // the whole object's size, not the range's

  Result<GetResult> middle = store().Get({.key = "r", .offset = 3, .length = 4});
  ASSERT_OK(middle);
  EXPECT_EQ(middle->data, "3456");
  EXPECT_EQ(middle->offset, 3u);

  Result<GetResult> to_end = store().Get({.key = "r", .offset = 7});
  ASSERT_OK(to_end);
  EXPECT_EQ(to_end->data, "789");

  Result<GetResult> cut = store().Get({.key = "r", .offset = 8, .length = 100});  // runs past the end
  ASSERT_OK(cut);
  EXPECT_EQ(cut->data, "89");
  EXPECT_EQ(cut->offset, 8u);

  Result<GetResult> last_byte = store().Get({.key = "r", .offset = 9, .length = 1});
  ASSERT_OK(last_byte);
  EXPECT_EQ(last_byte->data, "9");

  Result<GetResult> suffix = store().Get({.key = "r", .suffix_length = 3});  // bytes=-3
  ASSERT_OK(suffix);
  EXPECT_EQ(suffix->data, "789");
  EXPECT_EQ(suffix->offset, 7u);
  EXPECT_EQ(suffix->info.size, 10u);

  Result<GetResult> big_suffix = store().Get({.key = "r", .suffix_length = 50});
  ASSERT_OK(big_suffix);
  EXPECT_EQ(big_suffix->data, data);
  EXPECT_EQ(big_suffix->offset, 0u);

  EXPECT_STATUS(store().Get({.key = "r", .offset = 10, .length = 1}), kOutOfRange);
  EXPECT_STATUS(store().Get({.key = "r", .offset = 10}), kOutOfRange);
  EXPECT_STATUS(store().Get({.key = "r", .offset = 1000}), kOutOfRange);
}

TEST_P(ObjectStoreContractTest, EmptyObject) {
  Result<ObjectInfo> put = store().Put("empty", "");
  ASSERT_OK(put);
  EXPECT_EQ(put->size, 0u);
  EXPECT_EQ(put->etag, Md5Hex(""));
  Result<ObjectInfo> head = store().Head("empty");
  ASSERT_OK(head);
  EXPECT_EQ(head->size, 0u);

  for (GetRequest req : {GetRequest{.key = "empty"}, GetRequest{.key = "empty", .offset = 0, .length = 1},
                         GetRequest{.key = "empty", .offset = 0, .length = 4096},
                         GetRequest{.key = "empty", .offset = 5, .length = 10},
                         GetRequest{.key = "empty", .suffix_length = 10}}) {
    Result<GetResult> get = store().Get(req);
    ASSERT_OK(get);
    EXPECT_EQ(get->data, "");
    EXPECT_EQ(get->info.size, 0u);
    EXPECT_EQ(get->info.etag, put->etag);
  }
}

TEST_P(ObjectStoreContractTest, IfMatch) {
  Result<ObjectInfo> put = store().Put("m", "content");
  ASSERT_OK(put);
  Result<GetResult> match = store().Get({.key = "m", .offset = 1, .length = 3, .if_match = put->etag});
  ASSERT_OK(match);
  EXPECT_EQ(match->data, "ont");
  EXPECT_STATUS(store().Get({.key = "m", .if_match = Md5Hex("other content")}), kFailedPrecondition);
  ASSERT_OK(store().Put("m", "changed"));
  // The object changed under a reader holding the old etag.
  EXPECT_STATUS(store().Get({.key = "m", .offset = 0, .length = 2, .if_match = put->etag}),
                kFailedPrecondition);
}

TEST_P(ObjectStoreContractTest, KeysWithSpacesPlusPercentAndUtf8) {
  const vector<string> keys = {"数据集/猫 cat+1%.png", "a b/c  d.txt",          "plus+sign",
                               "percent%20literal",    "tilde~and=equals&amp;", "émoji 🙂/ü"};
  for (const string& key : keys) {
    Result<ObjectInfo> put = store().Put(key, "data of " + key);
    ASSERT_OK(put);
    EXPECT_EQ(put->key, key);
  }
  for (const string& key : keys) {
    Result<ObjectInfo> head = store().Head(key);
    ASSERT_OK(head);
    EXPECT_EQ(head->size, ("data of " + key).size());
    EXPECT_EQ(GetAll(key), "data of " + key);
  }
  Result<ListPage> all = ListAll(store(), {});
  ASSERT_OK(all);
  vector<string> expected = keys;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(Keys(*all), expected);

  Result<ListPage> cats = ListAll(store(), {.prefix = "数据集/", .delimiter = "/"});
  ASSERT_OK(cats);
  EXPECT_EQ(Keys(*cats), vector<string>{"数据集/猫 cat+1%.png"});

  ASSERT_OK(store().Copy("数据集/猫 cat+1%.png", "copy of 猫+%.png"));
  EXPECT_EQ(GetAll("copy of 猫+%.png"), "data of 数据集/猫 cat+1%.png");
  ASSERT_OK(store().Delete("数据集/猫 cat+1%.png"));
  EXPECT_STATUS(store().Head("数据集/猫 cat+1%.png"), kNotFound);
}

TEST_P(ObjectStoreContractTest, CopyDuplicatesContentAndLeavesSource) {
  Result<ObjectInfo> src = store().Put("src/a", "payload");
  ASSERT_OK(src);
  Result<ObjectInfo> copy = store().Copy("src/a", "dst/b/c");
  ASSERT_OK(copy);
  EXPECT_EQ(copy->key, "dst/b/c");
  EXPECT_EQ(copy->size, 7u);
  EXPECT_EQ(GetAll("dst/b/c"), "payload");
  EXPECT_EQ(GetAll("src/a"), "payload");
  Result<ObjectInfo> head = store().Head("dst/b/c");
  ASSERT_OK(head);
  EXPECT_EQ(head->etag, copy->etag);
  EXPECT_EQ(head->etag, Md5Hex("payload"));
  // Copy over an existing object replaces it.
  ASSERT_OK(store().Put("dst/other", "old"));
  ASSERT_OK(store().Copy("src/a", "dst/other"));
  EXPECT_EQ(GetAll("dst/other"), "payload");
}

TEST_P(ObjectStoreContractTest, ListWithPrefixAndDelimiter) {
  // '-' (0x2d) and '.' (0x2e) sort before '/' (0x2f), and '0' after it: byte order is not the
  // order a directory walk would give.
  const vector<string> keys = {"dir/a.txt", "dir/sub/b.txt", "dir/sub/c.txt", "dir-x", "dir.y", "dir0/z",
                               "e"};
  PutMany(keys);

  Result<ListPage> flat = store().List({});
  ASSERT_OK(flat);
  EXPECT_EQ(Keys(*flat),
            (vector<string>{"dir-x", "dir.y", "dir/a.txt", "dir/sub/b.txt", "dir/sub/c.txt", "dir0/z", "e"}));
  EXPECT_TRUE(flat->common_prefixes.empty());
  EXPECT_EQ(flat->next_token, "");
  for (const ObjectInfo& o : flat->objects) {
    EXPECT_EQ(o.size, o.key.size()) << o.key;
    EXPECT_EQ(o.etag, Md5Hex(o.key)) << o.key;
  }

  Result<ListPage> top = store().List({.delimiter = "/"});
  ASSERT_OK(top);
  EXPECT_EQ(Keys(*top), (vector<string>{"dir-x", "dir.y", "e"}));
  EXPECT_EQ(top->common_prefixes, (vector<string>{"dir/", "dir0/"}));

  Result<ListPage> in_dir = store().List({.prefix = "dir/", .delimiter = "/"});
  ASSERT_OK(in_dir);
  EXPECT_EQ(Keys(*in_dir), vector<string>{"dir/a.txt"});
  EXPECT_EQ(in_dir->common_prefixes, vector<string>{"dir/sub/"});

  Result<ListPage> partial = store().List({.prefix = "dir/s", .delimiter = "/"});
  ASSERT_OK(partial);
  EXPECT_TRUE(partial->objects.empty());
  EXPECT_EQ(partial->common_prefixes, vector<string>{"dir/sub/"});

  Result<ListPage> by_prefix = store().List({.prefix = "dir"});
  ASSERT_OK(by_prefix);
  EXPECT_EQ(Keys(*by_prefix),
            (vector<string>{"dir-x", "dir.y", "dir/a.txt", "dir/sub/b.txt", "dir/sub/c.txt", "dir0/z"}));

  Result<ListPage> none = store().List({.prefix = "zzz"});
  ASSERT_OK(none);
  EXPECT_TRUE(none->objects.empty());
  EXPECT_EQ(none->next_token, "");

  // A delimiter other than '/'.
  Result<ListPage> dashes = store().List({.prefix = "dir", .delimiter = "-"});
  ASSERT_OK(dashes);
  EXPECT_EQ(dashes->common_prefixes, vector<string>{"dir-"});
  EXPECT_EQ(Keys(*dashes),
            (vector<string>{"dir.y", "dir/a.txt", "dir/sub/b.txt", "dir/sub/c.txt", "dir0/z"}));
}

TEST_P(ObjectStoreContractTest, PaginationMixesObjectsAndCommonPrefixesInByteOrder) {
  PutMany({"dir/a.txt", "dir/sub/b.txt", "dir-x", "dir.y", "dir0/z", "e"});
  vector<string> seen;
  ListRequest req{.delimiter = "/", .max_keys = 1};
  int pages = 0;
  while (true) {
    Result<ListPage> page = store().List(req);
    ASSERT_OK(page);
    ++pages;
    ASSERT_EQ(page->objects.size() + page->common_prefixes.size(), 1u) << "page " << pages;
    for (const ObjectInfo& o : page->objects) seen.push_back(o.key);
    for (const string& p : page->common_prefixes) seen.push_back(p);
    if (page->next_token.empty()) break;
    req.start_token = page->next_token;
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(seen, (vector<string>{"dir-x", "dir.y", "dir/", "dir0/", "e"}));
}

TEST_P(ObjectStoreContractTest, PaginationOver2500Keys) {
  vector<string> keys;
  for (int i = 0; i < 2500; ++i) keys.push_back(fmt::format("p{:02d}/{:04d}", i % 25, (i * 7919) % 10000));
  PutMany(keys);
  vector<string> expected = keys;
  std::sort(expected.begin(), expected.end());

  // Default page size (1000): three pages, the last one short.
  vector<string> seen;
  vector<size_t> sizes;
  ListRequest req;
  while (true) {
    Result<ListPage> page = store().List(req);
    ASSERT_OK(page);
    sizes.push_back(page->objects.size());
    for (const ObjectInfo& o : page->objects) seen.push_back(o.key);
    if (page->next_token.empty()) break;
    req.start_token = page->next_token;
    ASSERT_LT(sizes.size(), 10u);
  }
  EXPECT_EQ(sizes, (vector<size_t>{1000, 1000, 500}));
  EXPECT_EQ(seen, expected);

  // Small pages with a prefix.
  vector<string> expected_p07;
  for (const string& k : expected) {
    if (k.starts_with("p07/")) expected_p07.push_back(k);
  }
  Result<ListPage> p07 = ListAll(store(), {.prefix = "p07/", .max_keys = 7});
  ASSERT_OK(p07);
  EXPECT_EQ(Keys(*p07), expected_p07);
  EXPECT_EQ(expected_p07.size(), 100u);

  // With the delimiter, the 2,500 keys fold into 25 prefixes, on pages of 10.
  Result<ListPage> dirs = ListAll(store(), {.delimiter = "/", .max_keys = 10});
  ASSERT_OK(dirs);
  EXPECT_TRUE(dirs->objects.empty());
  ASSERT_EQ(dirs->common_prefixes.size(), 25u);
  EXPECT_EQ(dirs->common_prefixes.front(), "p00/");
  EXPECT_EQ(dirs->common_prefixes.back(), "p24/");
}

TEST_P(ObjectStoreContractTest, MultipartUploadAssemblesPartsWithS3Etag) {
  const size_t part_size = std::max<size_t>(harness_->MinPartSize(), 64 * 1024);
  vector<string> parts;
  for (int i = 0; i < 3; ++i) {
    string part(i == 2 ? 1000 : part_size, '\0');
    for (size_t j = 0; j < part.size(); ++j) part[j] = static_cast<char>('a' + (j * 31 + i * 7) % 26);
    parts.push_back(std::move(part));
  }
  Result<std::unique_ptr<MultipartUpload>> upload = store().StartMultipart("big/object.bin");
  ASSERT_OK(upload);
  // Out of order on purpose: Complete assembles by part number.
  ASSERT_OK((*upload)->UploadPart(2, parts[1]));
  ASSERT_OK((*upload)->UploadPart(1, parts[0]));
  ASSERT_OK((*upload)->UploadPart(3, parts[2]));
  Result<ObjectInfo> done = (*upload)->Complete();
  ASSERT_OK(done);

  const string expected_etag = MultipartEtag({Md5Of(parts[0]), Md5Of(parts[1]), Md5Of(parts[2])});
  EXPECT_EQ(done->etag, expected_etag);
  Result<ObjectInfo> head = store().Head("big/object.bin");
  ASSERT_OK(head);
  EXPECT_EQ(head->etag, expected_etag);
  EXPECT_EQ(head->size, 2 * part_size + 1000);
  EXPECT_EQ(GetAll("big/object.bin"), parts[0] + parts[1] + parts[2]);
  Result<GetResult> straddle = store().Get({.key = "big/object.bin", .offset = part_size - 2, .length = 4});
  ASSERT_OK(straddle);
  EXPECT_EQ(straddle->data, parts[0].substr(part_size - 2) + parts[1].substr(0, 2));

  // Staged parts never show up in listings.
  Result<ListPage> all = ListAll(store(), {});
  ASSERT_OK(all);
  EXPECT_EQ(Keys(*all), vector<string>{"big/object.bin"});
}

TEST_P(ObjectStoreContractTest, PutFileSendsPartsAtOnceAndAssemblesThemInOrder) {
  // PutFile (put_file.h) sends several parts of one upload from several threads at once: the
  // store must take concurrent UploadPart calls and still assemble by part number.
  const size_t part_size = std::max<size_t>(harness_->MinPartSize(), 64 * 1024);
  const size_t size = 5 * part_size + 777;
  string bytes(size, '\0');
  for (size_t j = 0; j < size; ++j) bytes[j] = static_cast<char>((j * 131 + j / part_size) % 251);
  ava::testing::TempDir dir;
  const string path = dir.Sub("file.bin");
  ASSERT_OK(WriteFileAtomic(path, bytes));
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(fd.valid());

  Result<ObjectInfo> done =
      PutFile(store(), "put/file.bin", fd.get(), size, {.part_size = part_size, .streams = 4});
  ASSERT_OK(done);
  vector<Md5Digest> digests;
  for (size_t off = 0; off < size; off += part_size)
    digests.push_back(Md5Of(std::string_view(bytes).substr(off, part_size)));
  EXPECT_EQ(done->etag, MultipartEtag(digests));
  EXPECT_EQ(GetAll("put/file.bin"), bytes);

  // At most one part: one plain Put, with the plain etag.
  Result<ObjectInfo> small =
      PutFile(store(), "put/small.bin", fd.get(), part_size, {.part_size = part_size, .streams = 4});
  ASSERT_OK(small);
  EXPECT_EQ(small->etag, Md5Hex(std::string_view(bytes).substr(0, part_size)));
  ASSERT_OK(PutFile(store(), "put/empty", fd.get(), 0, {.part_size = part_size, .streams = 4}));
  EXPECT_EQ(GetAll("put/empty"), "");
}

TEST_P(ObjectStoreContractTest, AbortedMultipartLeavesNothing) {
  Result<std::unique_ptr<MultipartUpload>> upload = store().StartMultipart("aborted");
  ASSERT_OK(upload);
  ASSERT_OK((*upload)->UploadPart(1, "some bytes"));
  ASSERT_OK((*upload)->Abort());
  EXPECT_STATUS(store().Head("aborted"), kNotFound);
  {
    // Dropped without Complete: aborted too.
    Result<std::unique_ptr<MultipartUpload>> dropped = store().StartMultipart("dropped");
    ASSERT_OK(dropped);
    ASSERT_OK((*dropped)->UploadPart(1, "x"));
  }
  EXPECT_STATUS(store().Head("dropped"), kNotFound);
  Result<ListPage> all = ListAll(store(), {});
  ASSERT_OK(all);
  EXPECT_TRUE(all->objects.empty());
}

TEST_P(ObjectStoreContractTest, ConcurrentPutsAndGetsFromEightThreads) {
  // Every thread writes its own keys and reads them back, and all of them overwrite and read one
  // shared key: a reader must always see one whole version whose etag matches its bytes.
  vector<string> versions;
  for (int v = 0; v < 8; ++v) versions.push_back(string(1000 + v * 37, static_cast<char>('A' + v)));
  ASSERT_OK(store().Put("shared", versions[0]));
  std::atomic<int> failures{0};
  vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        string key = fmt::format("t{}/k{}", t, i);
        string value = fmt::format("thread {} item {}", t, i);
        if (!store().Put(key, value).ok()) ++failures;
        Result<GetResult> back = store().Get({.key = key});
        if (!back.ok() || back->data != value) ++failures;
        if (!store().Put("shared", versions[(t + i) % 8]).ok()) ++failures;
        Result<GetResult> shared = store().Get({.key = "shared"});
        if (!shared.ok() || std::find(versions.begin(), versions.end(), shared->data) == versions.end() ||
            shared->info.etag != Md5Hex(shared->data)) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  Result<ListPage> all = ListAll(store(), {.prefix = "t"});
  ASSERT_OK(all);
  EXPECT_EQ(all->objects.size(), 160u);
}

}  // namespace ava::store::contract
