#include "agent/output_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

namespace ava::agent {

std::string_view OutputStreamName(OutputStream s) { return s == OutputStream::kStdout ? "stdout" : "stderr"; }

Result<OutputLogWriter> OutputLogWriter::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno(errno, path);
  return OutputLogWriter(UniqueFd(fd));
}

Status OutputLogWriter::Append(OutputStream stream, Nanos wall_time, std::string_view data) {
  std::string rec =
      fmt::format("{} {} {}\n", stream == OutputStream::kStdout ? 'o' : 'e', wall_time.count(), data.size());
  rec.append(data);
  rec.push_back('\n');
  size_t done = 0;
  while (done < rec.size()) {
    ssize_t n = ::write(fd_.get(), rec.data() + done, rec.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "writing the job's output log");
    }
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

namespace {

// Parses "<o|e> <nanos> <len>" (without the newline).
bool ParseHeader(std::string_view h, OutputRecord* rec, uint64_t* len) {
  if (h.size() < 5 || (h[0] != 'o' && h[0] != 'e') || h[1] != ' ') return false;
  rec->stream = h[0] == 'o' ? OutputStream::kStdout : OutputStream::kStderr;
  const size_t sp = h.find(' ', 2);
  if (sp == std::string_view::npos) return false;
  int64_t nanos = 0;
  auto [p1, e1] = std::from_chars(h.data() + 2, h.data() + sp, nanos);
  if (e1 != std::errc() || p1 != h.data() + sp) return false;
  auto [p2, e2] = std::from_chars(h.data() + sp + 1, h.data() + h.size(), *len);
  if (e2 != std::errc() || p2 != h.data() + h.size()) return false;
  rec->time = Nanos(nanos);
  return true;
}

}  // namespace

Result<OutputLogBatch> ReadOutputLog(const std::string& path, uint64_t offset, uint64_t max_bytes) {
  OutputLogBatch batch;
  batch.next_offset = offset;
  int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0) {
    if (errno == ENOENT) return batch;  // the supervisor has not written anything yet
    return Status::FromErrno(errno, path);
  }
  UniqueFd fd(raw);
  // Read a window generous enough for the batch and its headers; a record larger than the window is
  // read in a second step once its header says how long it is.
  const uint64_t window = max_bytes + 4096;
  AVA_ASSIGN_OR_RETURN(std::string buf, PReadUpTo(fd.get(), window, offset));
  const bool at_eof = buf.size() < window;  // the window holds the rest of the file
  size_t pos = 0;
  uint64_t collected = 0;
  while (pos < buf.size()) {
    const size_t nl = buf.find('\n', pos);
    if (nl == std::string::npos) {
      if (buf.size() - pos > 64) {
        return Status::Corruption(fmt::format("{}: no record header at offset {}", path, offset + pos));
      }
      batch.torn = true;
      break;
    }
    OutputRecord rec;
    uint64_t len = 0;
    if (!ParseHeader(std::string_view(buf).substr(pos, nl - pos), &rec, &len)) {
      return Status::Corruption(fmt::format("{}: bad record header at offset {}", path, offset + pos));
    }
    if (!batch.records.empty() && collected + len > max_bytes) break;
    const uint64_t data_at = nl + 1;
    if (data_at + len + 1 > buf.size()) {
      // The record runs past the window: read it whole when it is the first, else leave it for later.
      if (!batch.records.empty()) {
        batch.torn = at_eof;
        break;
      }
      AVA_ASSIGN_OR_RETURN(std::string whole, PReadUpTo(fd.get(), len + 1, offset + data_at));
      if (whole.size() < len + 1) {
        batch.torn = true;
        break;
      }
      if (whole[len] != '\n') {
        return Status::Corruption(
            fmt::format("{}: record at offset {} is not terminated", path, offset + pos));
      }
      whole.resize(len);
      rec.data = std::move(whole);
      batch.records.push_back(std::move(rec));
      batch.next_offset = offset + data_at + len + 1;
      return batch;
    }
    if (buf[data_at + len] != '\n') {
      return Status::Corruption(fmt::format("{}: record at offset {} is not terminated", path, offset + pos));
    }
    rec.data = buf.substr(data_at, len);
    collected += len;
    batch.records.push_back(std::move(rec));
    pos = data_at + len + 1;
    batch.next_offset = offset + pos;
  }
  return batch;
}

std::vector<OutputRecord> CoalesceRecords(std::vector<OutputRecord> records, size_t max_chunk) {
  std::vector<OutputRecord> out;
  for (OutputRecord& r : records) {
    if (!out.empty() && out.back().stream == r.stream &&
        out.back().data.size() + r.data.size() <= max_chunk) {
      out.back().data += r.data;
    } else {
      out.push_back(std::move(r));
    }
  }
  return out;
}

size_t Utf8CompletePrefix(std::string_view data) {
  // Look back at most 3 bytes for the lead byte of the last sequence.
  const size_t n = data.size();
  for (size_t back = 1; back <= 4 && back <= n; ++back) {
    const unsigned char c = static_cast<unsigned char>(data[n - back]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte: keep looking for the lead
    size_t need = 1;
    if ((c & 0xE0) == 0xC0) {
      need = 2;
    } else if ((c & 0xF0) == 0xE0) {
      need = 3;
    } else if ((c & 0xF8) == 0xF0) {
      need = 4;
    }
    return back < need ? n - back : n;
  }
  return n;
}

}  // namespace ava::agent
