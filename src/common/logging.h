// Logger: where components write what an operator needs to know. Components receive a Logger*
// through their options (never a global), so tests capture and assert on log lines.
//
//   AVA_LOG(logger, kWarn, "cache", "SSD tier {} is full; continuing RAM-only", dir);
//
// Thread safety: implementations are safe for concurrent use.
#pragma once

#include <fmt/format.h>

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/thread_annotations.h"

namespace ava {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

std::string_view LogLevelName(LogLevel level);
// "debug" | "info" | "warn" | "error"; false on anything else.
bool ParseLogLevel(std::string_view text, LogLevel* out);

class Logger {
 public:
  explicit Logger(LogLevel min_level = LogLevel::kInfo) : min_level_(min_level) {}
  virtual ~Logger() = default;
  bool Enabled(LogLevel level) const { return level >= min_level_; }
  void set_min_level(LogLevel level) { min_level_ = level; }
  // `component` names the part that speaks ("s3", "cache", "fuse").
  virtual void Write(LogLevel level, std::string_view component, std::string_view message) = 0;

 private:
  LogLevel min_level_;
};

// One line per message on stderr: "2026-11-25T19:30:01.123Z WARN  cache: message".
class StderrLogger final : public Logger {
 public:
  using Logger::Logger;
  void Write(LogLevel level, std::string_view component, std::string_view message) override;

 private:
  std::mutex mu_;  // keeps lines whole when threads log at once
};

// Appends lines to a file (for daemons that detached from their terminal).
class FileLogger final : public Logger {
 public:
  // Opens `path` for appending (created 0600); falls back to stderr if it cannot.
  FileLogger(const std::string& path, LogLevel min_level);
  ~FileLogger() override;
  FileLogger(const FileLogger&) = delete;
  FileLogger& operator=(const FileLogger&) = delete;
  void Write(LogLevel level, std::string_view component, std::string_view message) override;

 private:
  std::mutex mu_;
  int fd_ = 2;
};

// Keeps every line in memory; for tests.
class CapturingLogger final : public Logger {
 public:
  CapturingLogger() : Logger(LogLevel::kDebug) {}
  void Write(LogLevel level, std::string_view component, std::string_view message) override;
  std::vector<std::string> Lines() const;
  // True if some line contains `needle`.
  bool Contains(std::string_view needle) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_ GUARDED_BY(mu_);
};

}  // namespace ava

// Formats only when the level is enabled. `logger` may be null (nothing is written).
#define AVA_LOG(logger, level, component, ...)                                           \
  do {                                                                                   \
    ::ava::Logger* ava_logger_ = (logger);                                               \
    if (ava_logger_ != nullptr && ava_logger_->Enabled(::ava::LogLevel::level)) {        \
      ava_logger_->Write(::ava::LogLevel::level, component, ::fmt::format(__VA_ARGS__)); \
    }                                                                                    \
  } while (0)
