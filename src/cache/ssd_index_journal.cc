#include "cache/ssd_index_journal.h"

#include <fmt/format.h>

#include "cache/coding.h"
#include "common/checksum.h"

namespace ava::cache {

namespace {

constexpr size_t kRecordHeader = 8 + 4 + 1;  // checksum, length, type
constexpr uint32_t kMaxPayload = 1 << 20;    // far above any real key; a larger length is garbage
constexpr size_t kReadChunk = 1 << 20;

bool HasKey(JournalRecord::Type t) {
  return t == JournalRecord::Type::kInsert || t == JournalRecord::Type::kErase ||
         t == JournalRecord::Type::kTouch;
}

std::string FileHeaderRecord() {
  std::string payload;
  PutFixed32(&payload, kJournalMagic);
  PutFixed32(&payload, kJournalVersion);
  std::string out;
  std::string body;
  PutFixed32(&body, static_cast<uint32_t>(payload.size()));
  body.push_back(static_cast<char>(JournalRecord::Type::kFileHeader));
  body += payload;
  PutFixed64(&out, Checksum64(body));
  out += body;
  return out;
}

// Decodes a payload whose checksum matched. False on a malformed payload.
bool DecodePayload(JournalRecord::Type type, std::string_view payload, JournalRecord* r) {
  r->type = type;
  Cursor c(payload);
  if (HasKey(type)) {
    if (!c.GetLengthPrefixed(&r->key.store) || !c.GetLengthPrefixed(&r->key.key) ||
        !c.GetLengthPrefixed(&r->key.etag) || !c.GetFixed64(&r->key.offset) ||
        !c.GetFixed32(&r->key.length)) {
      return false;
    }
  }
  if (type == JournalRecord::Type::kInsert && !c.GetFixed64(&r->charge)) return false;
  return c.remaining() == 0;
}

}  // namespace

void EncodeJournalRecord(const JournalRecord& record, std::string* out) {
  size_t start = out->size();
  PutFixed64(out, 0);  // checksum, filled in below
  size_t len_at = out->size();
  PutFixed32(out, 0);
  out->push_back(static_cast<char>(record.type));
  size_t payload_at = out->size();
  if (HasKey(record.type)) {
    PutLengthPrefixed(out, record.key.store);
    PutLengthPrefixed(out, record.key.key);
    PutLengthPrefixed(out, record.key.etag);
    PutFixed64(out, record.key.offset);
    PutFixed32(out, record.key.length);
  }
  if (record.type == JournalRecord::Type::kInsert) PutFixed64(out, record.charge);
  uint32_t payload_len = static_cast<uint32_t>(out->size() - payload_at);
  for (int i = 0; i < 4; ++i) (*out)[len_at + i] = static_cast<char>(payload_len >> (8 * i));
  uint64_t sum = Checksum64(out->data() + len_at, out->size() - len_at);
  for (int i = 0; i < 8; ++i) (*out)[start + i] = static_cast<char>(sum >> (8 * i));
}

size_t JournalRecordSize(JournalRecord::Type type, const BlockKey& key) {
  size_t n = kRecordHeader;
  if (HasKey(type)) n += 3 * 4 + key.store.size() + key.key.size() + key.etag.size() + 8 + 4;
  if (type == JournalRecord::Type::kInsert) n += 8;
  return n;
}

Result<JournalReplayResult> SsdIndexJournal::Replay(LocalDisk* disk, const std::string& path,
                                                    const std::function<void(const JournalRecord&)>& fn) {
  AVA_ASSIGN_OR_RETURN(std::unique_ptr<SequentialFile> file, disk->OpenSequentialFile(path));
  JournalReplayResult result;
  std::string buf;
  size_t pos = 0;         // parse position in buf
  uint64_t consumed = 0;  // file offset of buf[0]
  bool eof = false;
  bool header_seen = false;

  // Makes at least `n` bytes available at buf[pos]; false when the file ends first.
  auto ensure = [&](size_t n) -> Result<bool> {
    while (buf.size() - pos < n && !eof) {
      buf.erase(0, pos);
      consumed += pos;
      pos = 0;
      AVA_ASSIGN_OR_RETURN(std::string chunk, file->Read(std::max(kReadChunk, n)));
      if (chunk.empty()) eof = true;
      buf += chunk;
    }
    return buf.size() - pos >= n;
  };
  auto stop = [&](std::string why) -> Status {
    result.tail_problem = std::move(why);
    // Whatever remains of the file past the valid prefix is ignored.
    uint64_t end = consumed + buf.size();
    while (!eof) {
      AVA_ASSIGN_OR_RETURN(std::string chunk, file->Read(kReadChunk));
      if (chunk.empty()) eof = true;
      end += chunk.size();
    }
    result.ignored_bytes = end - result.valid_bytes;
    return Status::OK();
  };

  while (true) {
    uint64_t record_at = consumed + pos;
    AVA_ASSIGN_OR_RETURN(bool have_header, ensure(kRecordHeader));
    if (!have_header) {
      if (buf.size() - pos > 0) {
        AVA_RETURN_IF_ERROR(stop(fmt::format("record at offset {} is cut short (torn write)", record_at)));
      }
      break;
    }
    const char* h = buf.data() + pos;
    uint64_t stored_sum = DecodeFixed(h, 8);
    uint32_t len = static_cast<uint32_t>(DecodeFixed(h + 8, 4));
    auto type = static_cast<JournalRecord::Type>(static_cast<unsigned char>(h[12]));
    if (len > kMaxPayload) {
      AVA_RETURN_IF_ERROR(
          stop(fmt::format("record at offset {} claims {} payload bytes (garbage)", record_at, len)));
      break;
    }
    AVA_ASSIGN_OR_RETURN(bool have_record, ensure(kRecordHeader + len));
    if (!have_record) {
      AVA_RETURN_IF_ERROR(stop(fmt::format("record at offset {} is cut short (torn write)", record_at)));
      break;
    }
    h = buf.data() + pos;
    uint64_t computed = Checksum64(h + 8, 4 + 1 + len);
    if (computed != stored_sum) {
      AVA_RETURN_IF_ERROR(stop(fmt::format("record at offset {} fails its checksum", record_at)));
      break;
    }
    std::string_view payload(h + kRecordHeader, len);
    if (!header_seen) {
      Cursor c(payload);
      uint32_t magic = 0, version = 0;
      if (type != JournalRecord::Type::kFileHeader || !c.GetFixed32(&magic) || !c.GetFixed32(&version) ||
          magic != kJournalMagic) {
        return Status::Corruption(fmt::format("{} is not an Ava cache index journal", path));
      }
      if (version != kJournalVersion) {
        return Status::Corruption(fmt::format("{} has journal format version {} (this build reads {})", path,
                                              version, kJournalVersion));
      }
      header_seen = true;
    } else {
      JournalRecord r;
      if (type == JournalRecord::Type::kFileHeader || !DecodePayload(type, payload, &r)) {
        AVA_RETURN_IF_ERROR(stop(fmt::format("record at offset {} has a malformed payload (type {})",
                                             record_at, static_cast<int>(type))));
        break;
      }
      fn(r);
      ++result.records;
      result.clean = type == JournalRecord::Type::kClean;
    }
    pos += kRecordHeader + len;
    result.valid_bytes = consumed + pos;
  }
  return result;
}

Result<std::unique_ptr<SsdIndexJournal>> SsdIndexJournal::Open(LocalDisk* disk, std::string path,
                                                               uint64_t valid_bytes) {
  std::unique_ptr<SsdIndexJournal> j(new SsdIndexJournal(disk, std::move(path)));
  std::lock_guard<std::mutex> l(j->mu_);
  AVA_ASSIGN_OR_RETURN(j->file_, disk->OpenAppendFile(j->path_));
  AVA_RETURN_IF_ERROR(j->file_->Truncate(valid_bytes));
  uint64_t size = valid_bytes;
  if (valid_bytes == 0) {
    std::string header = FileHeaderRecord();
    AVA_RETURN_IF_ERROR(j->file_->Append(header));
    size = header.size();
  }
  j->size_.store(size);
  return j;
}

Status SsdIndexJournal::Append(std::string_view encoded_records, const std::function<void()>& then) {
  std::lock_guard<std::mutex> l(mu_);
  Status s = file_ == nullptr
                 ? Status::FailedPrecondition(fmt::format("{} is closed after a failed rewrite", path_))
                 : file_->Append(encoded_records);
  // A failed append may still have written part of the records; count the worst case so usage
  // is never under-reported. Replay ignores the torn tail.
  if (file_ != nullptr) size_.fetch_add(encoded_records.size(), std::memory_order_relaxed);
  if (then) then();
  return s;
}

Status SsdIndexJournal::Rewrite(const std::function<std::string()>& build,
                                const std::function<void(uint64_t)>& then) {
  std::lock_guard<std::mutex> l(mu_);
  std::string contents = FileHeaderRecord() + build();
  AVA_RETURN_IF_ERROR(disk_->WriteFileAtomic(path_, contents));
  // The open file now points at the replaced inode; appends must go to the new one.
  file_.reset();
  AVA_ASSIGN_OR_RETURN(file_, disk_->OpenAppendFile(path_));
  size_.store(contents.size(), std::memory_order_relaxed);
  if (then) then(contents.size());
  return Status::OK();
}

}  // namespace ava::cache
