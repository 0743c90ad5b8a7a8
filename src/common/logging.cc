#include "common/logging.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace ava {

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarn:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
  }
  return "?";
}

bool ParseLogLevel(std::string_view text, LogLevel* out) {
  if (text == "debug")
    *out = LogLevel::kDebug;
  else if (text == "info")
    *out = LogLevel::kInfo;
  else if (text == "warn" || text == "warning")
    *out = LogLevel::kWarn;
  else if (text == "error")
    *out = LogLevel::kError;
  else
    return false;
  return true;
}

namespace {

std::string FormatLine(LogLevel level, std::string_view component, std::string_view message) {
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z {:<5} {}: {}\n", stamp, ms, LogLevelName(level), component, message);
}

}  // namespace

void StderrLogger::Write(LogLevel level, std::string_view component, std::string_view message) {
  std::string line = FormatLine(level, component, message);
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

FileLogger::FileLogger(const std::string& path, LogLevel min_level) : Logger(min_level) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd >= 0) fd_ = fd;
}

FileLogger::~FileLogger() {
  if (fd_ > 2) ::close(fd_);
}

void FileLogger::Write(LogLevel level, std::string_view component, std::string_view message) {
  std::string line = FormatLine(level, component, message);
  std::lock_guard<std::mutex> lock(mu_);
  // One write per line with O_APPEND keeps lines whole even across processes.
  ssize_t n = ::write(fd_, line.data(), line.size());
  (void)n;
}

void CapturingLogger::Write(LogLevel level, std::string_view component, std::string_view message) {
  std::lock_guard<std::mutex> lock(mu_);
  lines_.push_back(fmt::format("{} {}: {}", LogLevelName(level), component, message));
}

std::vector<std::string> CapturingLogger::Lines() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lines_;
}

bool CapturingLogger::Contains(std::string_view needle) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& l : lines_) {
    if (l.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace ava
