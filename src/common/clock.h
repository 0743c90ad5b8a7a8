// Clock: the only way Ava code reads time, so tests can drive it (RocksDB's SystemClock /
// MockSystemClock). Monotonic time measures intervals and TTLs; wall time is for timestamps shown
// to people and stored in files.
//
// Thread safety: all implementations are safe for concurrent use.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>

namespace ava {

using Nanos = std::chrono::nanoseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time since an arbitrary origin; never goes back.
  virtual Nanos Now() const = 0;
  // Time since the Unix epoch.
  virtual Nanos WallNow() const = 0;
  // Blocks the calling thread for `d` (FakeClock: advances itself by `d` and returns at once).
  virtual void SleepFor(Nanos d) = 0;
};

// The real clocks of the machine.
class SystemClock final : public Clock {
 public:
  Nanos Now() const override;
  Nanos WallNow() const override;
  void SleepFor(Nanos d) override;
};

// A clock that moves only when told to. SleepFor advances it, so retry loops run instantly.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Nanos start = std::chrono::hours(1), Nanos wall_start = std::chrono::seconds(1700000000))
      : now_(start.count()), wall_offset_((wall_start - start).count()) {}
  Nanos Now() const override { return Nanos(now_.load()); }
  Nanos WallNow() const override { return Nanos(now_.load() + wall_offset_); }
  void SleepFor(Nanos d) override { Advance(d); }
  void Advance(Nanos d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<int64_t> now_;
  const int64_t wall_offset_;
};

}  // namespace ava
