// PosixStore: an ObjectStore over a local directory ("file:///abs/dir"). Key "a/b/c.png" is the
// file <root>/a/b/c.png; the "directories" of a key are real directories, created on Put and
// removed when their last object is deleted.
//
// Layout and rules:
//  - Keys must be valid relative paths: no leading '/', no empty component; a trailing '/' makes a
//    directory marker (an empty folder as S3 tools make it), kept as the hidden file "<dir>/.ava-dir";
//    ("a//b"), no "." or ".." component, no component longer than 255 bytes, and not under the
//    reserved top-level directory ".ava-store" → InvalidArgument. A key cannot be both an object
//    and the directory of other keys: Put "a/b" while "a" exists (or Put "a" while "a/b" exists)
//    → FailedPrecondition. S3 allows both; a directory cannot.
//  - Writes never leave a torn object: Put, multipart Complete and Copy write a temporary file
//    under <root>/.ava-store/tmp/, fsync it, rename it over the key and fsync the directory.
//  - ETags: Put/Complete/Copy store "<etag> <mtime ns> <size>" in the xattr `user.ava.etag`. The
//    xattr is trusted only while the file's mtime and size still match, so a file rewritten in place
//    by another program is not served with a stale etag; otherwise (and for files written by other
//    programs) the etag is synthesised as "<hex mtime ns>-<hex size>".
//  - Multipart parts are staged in <root>/.ava-store/multipart/<upload id>/, which List never
//    shows. Temporary files left by a crash are removed by Open() once they are a day old.
//  - List emulates ListObjectsV2 exactly (byte-ordered keys across nested directories, delimiter
//    folding, continuation tokens), by a sorted walk that reads only the directories it needs.
//    Symbolic links to files are objects; directories are only entered when they are real
//    directories (no symlink loops).
//
// Errors: NotFound for missing keys (and Open of a missing root); IO errors via Status::FromErrno.
// Thread safety: safe for concurrent use, also with other processes using the same root, with
// the caveat that concurrent writers of one key race (last rename wins, as on S3).
#pragma once

#include <memory>
#include <string>

#include "store/object_store.h"

namespace ava::store {

class PosixStore final : public ObjectStore {
 public:
  // `root` must be an absolute path to an existing directory; NotFound if it does not exist,
  // FailedPrecondition if it is not a directory. Creates <root>/.ava-store/.
  static Result<std::unique_ptr<PosixStore>> Open(const std::string& root);

  std::string Describe() const override;
  Result<ObjectInfo> Head(const std::string& key) override;
  Result<GetResult> Get(const GetRequest& request) override;
  Result<ListPage> List(const ListRequest& request) override;
  Result<ObjectInfo> Put(const std::string& key, std::string_view data) override;
  Result<std::unique_ptr<MultipartUpload>> StartMultipart(const std::string& key) override;
  Status Delete(const std::string& key) override;
  Result<ObjectInfo> Copy(const std::string& src, const std::string& dst) override;

  // The posix key rules above (on top of ValidateKey).
  static Status ValidatePosixKey(std::string_view key);

  const std::string& root() const { return root_; }

 private:
  friend class PosixMultipartUpload;
  class Cursor;

  explicit PosixStore(std::string root);

  // A directory-marker key ("a/b/", as S3 tools create for empty folders) is the hidden file
  // a/b/.ava-dir, so the directory exists while it is empty and List reports the marker.
  std::string PathOf(std::string_view key) const {
    if (!key.empty() && key.back() == '/') return root_ + "/" + std::string(key) + kDirMarkerName;
    return root_ + "/" + std::string(key);
  }
  static constexpr const char* kDirMarkerName = ".ava-dir";
  std::string TmpDir() const { return root_ + "/.ava-store/tmp"; }
  std::string MultipartDir() const { return root_ + "/.ava-store/multipart"; }
  // A new temporary file in TmpDir(); its path is stored in *path.
  Result<int> CreateTemp(std::string* path) const;
  // Finishes a temporary file whose data is written: fsync, store `etag` in the xattr (with the
  // file's mtime and size), rename it to `key`, fsync the directory. Removes the file on failure.
  Result<ObjectInfo> Publish(int fd, const std::string& tmp_path, const std::string& key,
                             const std::string& etag);
  Status RemoveEmptyParents(const std::string& key) const;

  const std::string root_;
};

}  // namespace ava::store
