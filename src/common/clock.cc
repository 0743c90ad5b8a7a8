#include "common/clock.h"

#include <thread>

namespace ava {

Nanos SystemClock::Now() const {
  return std::chrono::duration_cast<Nanos>(std::chrono::steady_clock::now().time_since_epoch());
}

Nanos SystemClock::WallNow() const {
  return std::chrono::duration_cast<Nanos>(std::chrono::system_clock::now().time_since_epoch());
}

void SystemClock::SleepFor(Nanos d) { std::this_thread::sleep_for(d); }

}  // namespace ava
