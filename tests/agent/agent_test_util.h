// Helpers for the agent tests that run real processes: the ava-agent binary built with the tests,
// waiting for a condition with a generous safety deadline (a hang guard, never an assertion about
// speed), and reading a job's output log as text.
#pragma once

#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "agent/output_log.h"

namespace ava::testing {

inline const char* AgentBinary() { return AVA_AGENT_BIN; }

// Polls `done` every 20 ms; false if it did not become true within `limit` (a hang guard).
inline bool WaitFor(const std::function<bool()>& done,
                    std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// "o:" / "e:" per stream change, then the bytes: "o:hello\ne:oops\n".
inline std::string OutputText(const std::string& path) {
  std::string s;
  Result<agent::OutputLogBatch> b = agent::ReadOutputLog(path, 0, 1 << 30);
  if (!b.ok()) return "<" + b.status().ToString() + ">";
  int last = -1;
  for (const auto& r : b->records) {
    const int stream = r.stream == agent::OutputStream::kStdout ? 0 : 1;
    if (stream != last) s += stream == 0 ? "o:" : "e:";
    last = stream;
    s += r.data;
  }
  return s;
}

// Only one stream's bytes, in order.
inline std::string StreamText(const std::string& path, agent::OutputStream which) {
  std::string s;
  Result<agent::OutputLogBatch> b = agent::ReadOutputLog(path, 0, 1 << 30);
  if (!b.ok()) return "<" + b.status().ToString() + ">";
  for (const auto& r : b->records) {
    if (r.stream == which) s += r.data;
  }
  return s;
}

}  // namespace ava::testing
