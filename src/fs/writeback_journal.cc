#include "fs/writeback_journal.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <map>

namespace ava::fs {

namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS queue(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  op INTEGER NOT NULL,
  path TEXT NOT NULL,
  path2 TEXT NOT NULL DEFAULT '',
  enqueued_ns INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  not_before_ns INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS whiteouts(path TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS durable(path TEXT PRIMARY KEY, size INTEGER NOT NULL, last_used_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS attrs(path TEXT PRIMARY KEY, mode INTEGER NOT NULL, mtime_ns INTEGER NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '1');
)";

constexpr int kSchemaVersion = 1;

}  // namespace

// One use of a prepared statement (from the journal's cache), bound positionally; reset for its
// next use when it goes out of scope.
class WritebackJournal::Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt, int rc) : db_(db), stmt_(stmt), rc_(rc) {}
  ~Stmt() {
    if (stmt_ == nullptr) return;
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int i, int64_t v) {
    if (rc_ == SQLITE_OK) rc_ = sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& Bind(int i, const std::string& v) {
    if (rc_ == SQLITE_OK)
      rc_ = sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // Runs to completion (for statements without rows).
  Status Run() {
    if (rc_ != SQLITE_OK) return Error("prepare/bind");
    int rc = sqlite3_step(stmt_);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return Error("step");
    return Status::OK();
  }
  // Next row: true while there is one.
  bool Next() { return rc_ == SQLITE_OK && sqlite3_step(stmt_) == SQLITE_ROW; }
  int64_t Int(int col) { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t));
  }

 private:
  Status Error(const char* what) {
    int code = sqlite3_errcode(db_);
    std::string msg = fmt::format("write-back journal {}: {}", what, sqlite3_errmsg(db_));
    if (code == SQLITE_FULL) return Status::NoSpace(msg);
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return Status::Unavailable(msg);
    return Status::IOError(msg);
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

std::string_view UploadOpName(UploadOp op) {
  switch (op) {
    case UploadOp::kPut:
      return "put";
    case UploadOp::kDelete:
      return "delete";
    case UploadOp::kRename:
      return "rename";
    case UploadOp::kMkdir:
      return "mkdir";
    case UploadOp::kRmdir:
      return "rmdir";
  }
  return "?";
}

Result<std::unique_ptr<WritebackJournal>> WritebackJournal::Open(const std::string& path, Clock* clock,
                                                                 const std::string& boot_id) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::IOError(fmt::format("cannot open the write-back journal {}: {}", path, msg));
  }
  std::unique_ptr<WritebackJournal> j(new WritebackJournal(db, clock));
  AVA_RETURN_IF_ERROR(j->Migrate().Annotate(path));
  // The migration's commit created the WAL; it stays (and keeps its inode) while the connection
  // is open. Its directory entry must be on disk before any commit relies on it.
  const std::string wal = path + "-wal";
  j->wal_ = UniqueFd(::open(wal.c_str(), O_RDONLY | O_CLOEXEC));
  if (!j->wal_.valid()) return Status::FromErrno(errno, "open " + wal);
  AVA_RETURN_IF_ERROR(FsyncDir(DirName(path)));
  AVA_RETURN_IF_ERROR(j->SyncThrough(j->committed_.load()));
  AVA_RETURN_IF_ERROR(j->MarkOpen(boot_id).Annotate(path));
  return j;
}

WritebackJournal::~WritebackJournal() {
  // Closed cleanly: everything is synced, and the next Open has nothing to suspect.
  InTransaction([&] { return SetMeta("open", "0"); }).IgnoreError();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

WritebackJournal::Stmt WritebackJournal::Sql(const char* sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return Stmt(db_, it->second, SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc == SQLITE_OK) statements_.emplace(sql, stmt);
  return Stmt(db_, stmt, rc);
}

Status WritebackJournal::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    if (sqlite3_errcode(db_) == SQLITE_FULL) return Status::NoSpace("write-back journal: " + msg);
    return Status::IOError("write-back journal: " + msg);
  }
  return Status::OK();
}

Status WritebackJournal::Migrate() {
  std::lock_guard<std::mutex> lock(mu_);
  // synchronous=NORMAL with WAL: commits are not synced by SQLite; InTransaction syncs the WAL
  // itself, once for a whole group (see the header). Checkpoints still sync before they copy.
  AVA_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"));
  AVA_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE;"));
  Status s = Exec(kSchema);
  if (s.ok()) {
    Stmt q = Sql("SELECT value FROM meta WHERE key='schema_version'");
    if (q.Next() && std::stoi(q.Text(0)) > kSchemaVersion) {
      s =
          Status::FailedPrecondition(fmt::format("the write-back journal has schema version {}, newer than "
                                                 "this avafs understands ({}); use a newer avafs",
                                                 q.Text(0), kSchemaVersion));
    }
  }
  Status end = Exec(s.ok() ? "COMMIT;" : "ROLLBACK;");
  return s.ok() ? end : s;
}

Status WritebackJournal::SetMeta(const char* key, const std::string& value) {
  return Sql("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)")
      .Bind(1, std::string(key))
      .Bind(2, value)
      .Run();
}

Status WritebackJournal::MarkOpen(const std::string& boot_id) {
  return InTransaction([&]() -> Status {
    std::map<std::string, std::string> meta;
    {
      Stmt q = Sql("SELECT key, value FROM meta WHERE key IN ('open', 'boot_id', 'unclean_reboot')");
      while (q.Next()) meta[q.Text(0)] = q.Text(1);
    }
    // An unknown boot (empty) counts as another one: suspecting a loss only costs a listing. The
    // suspicion stays on disk until UncleanRebootHandled, so a start that fails before the check
    // does not forget it.
    unclean_reboot_ = meta["unclean_reboot"] == "1" ||
                      (meta["open"] == "1" && (boot_id.empty() || meta["boot_id"] != boot_id));
    AVA_RETURN_IF_ERROR(SetMeta("unclean_reboot", unclean_reboot_ ? "1" : "0"));
    AVA_RETURN_IF_ERROR(SetMeta("boot_id", boot_id));
    return SetMeta("open", "1");
  });
}

Status WritebackJournal::UncleanRebootHandled() {
  AVA_RETURN_IF_ERROR(InTransaction([&] { return SetMeta("unclean_reboot", "0"); }));
  unclean_reboot_ = false;
  return Status::OK();
}

template <typename F>
Result<uint64_t> WritebackJournal::CommitUnsynced(F&& body) {
  std::lock_guard<std::mutex> lock(mu_);
  AVA_RETURN_IF_ERROR(Sql("BEGIN IMMEDIATE").Run());
  Status s = body();
  if (!s.ok()) {
    Sql("ROLLBACK").Run().IgnoreError();  // the original error is the one that matters
    return s;
  }
  AVA_RETURN_IF_ERROR(Sql("COMMIT").Run());
  return ++committed_;
}

template <typename F>
Status WritebackJournal::InTransaction(F&& body) {
  AVA_ASSIGN_OR_RETURN(uint64_t ticket, CommitUnsynced(std::forward<F>(body)));
  return SyncThrough(ticket);
}

Status WritebackJournal::SyncThrough(uint64_t ticket) {
  std::unique_lock<std::mutex> lock(sync_mu_);
  while (synced_ < ticket) {
    if (syncing_) {
      sync_cv_.wait(lock);  // the sync under way may cover us; if not, we lead the next one
      continue;
    }
    syncing_ = true;
    // Everything committed so far has been written to the WAL: this sync covers all of it.
    const uint64_t target = committed_.load();
    lock.unlock();
    const int rc = ::fdatasync(wal_.get());
    const int err = errno;
    ++syncs_;
    lock.lock();
    syncing_ = false;
    sync_cv_.notify_all();
    if (rc != 0) return Status::FromErrno(err, "sync the write-back journal");
    synced_ = std::max(synced_, target);
  }
  return Status::OK();
}

Status WritebackJournal::InsertQueued(UploadEntry* e) {
  AVA_RETURN_IF_ERROR(
      Sql("INSERT INTO queue(op, path, path2, enqueued_ns, not_before_ns) VALUES(?, ?, ?, ?, ?)")
          .Bind(1, static_cast<int64_t>(e->op))
          .Bind(2, e->path)
          .Bind(3, e->path2)
          .Bind(4, e->enqueued_ns)
          .Bind(5, e->not_before_ns)
          .Run());
  e->seq = sqlite3_last_insert_rowid(db_);
  return Status::OK();
}

JournalSnapshot WritebackJournal::Load() {
  std::lock_guard<std::mutex> lock(mu_);
  JournalSnapshot out;
  Stmt q =
      Sql("SELECT seq, op, path, path2, enqueued_ns, attempts, not_before_ns, last_error FROM queue ORDER BY "
          "seq");
  while (q.Next()) {
    out.queue.push_back(UploadEntry{q.Int(0), static_cast<UploadOp>(q.Int(1)), q.Text(2), q.Text(3), q.Int(4),
                                    static_cast<int>(q.Int(5)), q.Int(6), q.Text(7)});
  }
  Stmt w = Sql("SELECT path FROM whiteouts");
  while (w.Next()) out.whiteouts.push_back(w.Text(0));
  Stmt d = Sql("SELECT path, size, last_used_ns FROM durable");
  while (d.Next()) out.durable.push_back(DurableFile{d.Text(0), static_cast<uint64_t>(d.Int(1)), d.Int(2)});
  Stmt a = Sql("SELECT path, mode, mtime_ns FROM attrs");
  while (a.Next()) out.attrs.emplace_back(a.Text(0), FileAttrs{static_cast<uint32_t>(a.Int(1)), a.Int(2)});
  return out;
}

Result<WritebackJournal::BegunPut> WritebackJournal::BeginPut(const std::string& path, uint64_t size,
                                                              int64_t not_before_ns) {
  UploadEntry e;
  e.op = UploadOp::kPut;
  e.path = path;
  e.enqueued_ns = clock_->WallNow().count();
  e.not_before_ns = not_before_ns;
  Result<uint64_t> ticket = CommitUnsynced([&]() -> Status {
    AVA_RETURN_IF_ERROR(InsertQueued(&e));
    return Sql("INSERT OR REPLACE INTO durable(path, size, last_used_ns) VALUES(?, ?, ?)")
        .Bind(1, path)
        .Bind(2, static_cast<int64_t>(size))
        .Bind(3, e.enqueued_ns)
        .Run();
  });
  if (!ticket.ok()) return ticket.status();
  return BegunPut{std::move(e), *ticket};
}

Status WritebackJournal::AbortPut(int64_t seq, const std::string& path,
                                  std::optional<uint64_t> durable_size) {
  return InTransaction([&]() -> Status {
    AVA_RETURN_IF_ERROR(Sql("DELETE FROM queue WHERE seq = ?").Bind(1, seq).Run());
    if (!durable_size) return Sql("DELETE FROM durable WHERE path = ?").Bind(1, path).Run();
    return Sql("UPDATE durable SET size = ? WHERE path = ?")
        .Bind(1, static_cast<int64_t>(*durable_size))
        .Bind(2, path)
        .Run();
  });
}

Result<UploadEntry> WritebackJournal::RecordDelete(const std::string& path, int64_t not_before_ns) {
  UploadEntry e;
  e.op = path.ends_with('/') ? UploadOp::kRmdir : UploadOp::kDelete;
  e.path = path;
  e.enqueued_ns = clock_->WallNow().count();
  e.not_before_ns = not_before_ns;
  Status s = InTransaction([&]() -> Status {
    AVA_RETURN_IF_ERROR(Sql("DELETE FROM durable WHERE path = ?").Bind(1, path).Run());
    AVA_RETURN_IF_ERROR(Sql("DELETE FROM attrs WHERE path = ?").Bind(1, path).Run());
    AVA_RETURN_IF_ERROR(Sql("INSERT OR IGNORE INTO whiteouts(path) VALUES(?)").Bind(1, path).Run());
    AVA_RETURN_IF_ERROR(InsertQueued(&e));
    return Status::OK();
  });
  if (!s.ok()) return s;
  return e;
}

Result<UploadEntry> WritebackJournal::RecordRename(const std::string& from, const std::string& to,
                                                   uint64_t size, int64_t not_before_ns) {
  UploadEntry e;
  e.op = UploadOp::kRename;
  e.path = from;
  e.path2 = to;
  e.enqueued_ns = clock_->WallNow().count();
  e.not_before_ns = not_before_ns;
  Status s = InTransaction([&]() -> Status {
    AVA_RETURN_IF_ERROR(Sql("DELETE FROM durable WHERE path = ?").Bind(1, from).Run());
    AVA_RETURN_IF_ERROR(Sql("INSERT OR REPLACE INTO durable(path, size, last_used_ns) VALUES(?, ?, ?)")
                            .Bind(1, to)
                            .Bind(2, static_cast<int64_t>(size))
                            .Bind(3, e.enqueued_ns)
                            .Run());
    AVA_RETURN_IF_ERROR(
        Sql("UPDATE OR REPLACE attrs SET path = ? WHERE path = ?").Bind(1, to).Bind(2, from).Run());
    AVA_RETURN_IF_ERROR(Sql("INSERT OR IGNORE INTO whiteouts(path) VALUES(?)").Bind(1, from).Run());
    AVA_RETURN_IF_ERROR(Sql("DELETE FROM whiteouts WHERE path = ?").Bind(1, to).Run());
    return InsertQueued(&e);
  });
  if (!s.ok()) return s;
  return e;
}

Result<UploadEntry> WritebackJournal::RecordMkdir(const std::string& dir, int64_t not_before_ns) {
  UploadEntry e;
  e.op = UploadOp::kMkdir;
  e.path = dir;
  e.enqueued_ns = clock_->WallNow().count();
  e.not_before_ns = not_before_ns;
  Status s = InTransaction([&]() -> Status {
    AVA_RETURN_IF_ERROR(Sql("DELETE FROM whiteouts WHERE path = ?").Bind(1, dir).Run());
    AVA_RETURN_IF_ERROR(InsertQueued(&e));
    return Status::OK();
  });
  if (!s.ok()) return s;
  return e;
}

Status WritebackJournal::Complete(const UploadEntry& entry) {
  return InTransaction([&]() -> Status {
    AVA_RETURN_IF_ERROR(Sql("DELETE FROM queue WHERE seq = ?").Bind(1, entry.seq).Run());
    // After a deletion reached the cloud, the cloud no longer has the name: nothing to hide.
    if (entry.op == UploadOp::kDelete || entry.op == UploadOp::kRmdir || entry.op == UploadOp::kRename) {
      AVA_RETURN_IF_ERROR(Sql("DELETE FROM whiteouts WHERE path = ?").Bind(1, entry.path).Run());
    }
    return Status::OK();
  });
}

Status WritebackJournal::RecordFailure(int64_t seq, int attempts, int64_t not_before_ns,
                                       const std::string& error) {
  return InTransaction([&]() -> Status {
    return Sql("UPDATE queue SET attempts = ?, not_before_ns = ?, last_error = ? WHERE seq = ?")
        .Bind(1, attempts)
        .Bind(2, not_before_ns)
        .Bind(3, error)
        .Bind(4, seq)
        .Run();
  });
}

Status WritebackJournal::ExpediteAll(const std::string& prefix) {
  return InTransaction([&]() -> Status {
    return Sql("UPDATE queue SET not_before_ns = 0 WHERE substr(path, 1, ?) = ? OR substr(path2, 1, ?) = ?")
        .Bind(1, static_cast<int64_t>(prefix.size()))
        .Bind(2, prefix)
        .Bind(3, static_cast<int64_t>(prefix.size()))
        .Bind(4, prefix)
        .Run();
  });
}

Status WritebackJournal::SetDurableSize(const std::string& path, std::optional<uint64_t> size) {
  return InTransaction([&]() -> Status {
    if (!size) return Sql("DELETE FROM durable WHERE path = ?").Bind(1, path).Run();
    return Sql("INSERT OR REPLACE INTO durable(path, size, last_used_ns) VALUES(?, ?, ?)")
        .Bind(1, path)
        .Bind(2, static_cast<int64_t>(*size))
        .Bind(3, clock_->WallNow().count())
        .Run();
  });
}

Status WritebackJournal::SetAttrs(const std::string& path, const FileAttrs& attrs) {
  return InTransaction([&]() -> Status {
    return Sql("INSERT OR REPLACE INTO attrs(path, mode, mtime_ns) VALUES(?, ?, ?)")
        .Bind(1, path)
        .Bind(2, static_cast<int64_t>(attrs.mode))
        .Bind(3, attrs.mtime_ns)
        .Run();
  });
}

Status WritebackJournal::DropAttrs(const std::string& path) {
  return InTransaction(
      [&]() -> Status { return Sql("DELETE FROM attrs WHERE path = ?").Bind(1, path).Run(); });
}

}  // namespace ava::fs
