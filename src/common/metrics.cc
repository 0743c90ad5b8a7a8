#include "common/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace ava {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double value) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

double Histogram::Quantile(double q) const {
  uint64_t total = Count();
  if (total == 0) return 0;
  double rank = q * static_cast<double>(total);
  uint64_t seen = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    uint64_t in_bucket = BucketCount(i);
    if (in_bucket > 0 && static_cast<double>(seen + in_bucket) >= rank) {
      double lo = i == 0 ? 0 : bounds_[i - 1];
      double hi = i < bounds_.size() ? bounds_[i] : lo * 2;
      return lo + (hi - lo) * ((rank - static_cast<double>(seen)) / static_cast<double>(in_bucket));
    }
    seen += in_bucket;
  }
  return bounds_.empty() ? 0 : bounds_.back();
}

std::vector<double> Histogram::LatencyBounds() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,    0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30};
}

namespace {

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

// Adds one more label to a rendered label set: {a="x"} + le="0.5" → {a="x",le="0.5"}.
std::string WithExtraLabel(const std::string& rendered, std::string_view extra) {
  if (rendered.empty()) return fmt::format("{{{}}}", extra);
  return fmt::format("{},{}}}", rendered.substr(0, rendered.size() - 1), extra);
}

}  // namespace

std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    out += fmt::format("{}=\"{}\"", labels[i].first, EscapeLabelValue(labels[i].second));
  }
  return out + "}";
}

MetricsRegistry::Family& MetricsRegistry::FamilyLocked(std::string_view name, std::string_view help,
                                                       Kind kind) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{kind, std::string(help), {}, {}, {}, {}}).first;
  }
  return it->second;
}

Counter& MetricsRegistry::GetCounter(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = FamilyLocked(name, help, Kind::kCounter).counters[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& MetricsRegistry::GetGauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = FamilyLocked(name, help, Kind::kGauge).gauges[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& MetricsRegistry::GetHistogram(std::string_view name, std::string_view help, const Labels& labels,
                                         std::vector<double> bounds) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = FamilyLocked(name, help, Kind::kHistogram).histograms[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Histogram>(std::move(bounds));
  return *slot;
}

void MetricsRegistry::AddCallbackGauge(std::string_view name, std::string_view help, const Labels& labels,
                                       std::function<double()> fn, const void* owner) {
  std::lock_guard<std::mutex> lock(mu_);
  FamilyLocked(name, help, Kind::kGauge).callbacks[RenderLabels(labels)] = {owner, std::move(fn)};
}

void MetricsRegistry::RemoveCallbacks(const void* owner) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, family] : families_) {
    std::erase_if(family.callbacks, [owner](const auto& kv) { return kv.second.first == owner; });
  }
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    const char* type = f.kind == Kind::kCounter ? "counter" : f.kind == Kind::kGauge ? "gauge" : "histogram";
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, f.help, name, type);
    for (const auto& [labels, c] : f.counters) out += fmt::format("{}{} {}\n", name, labels, c->Value());
    for (const auto& [labels, g] : f.gauges) out += fmt::format("{}{} {}\n", name, labels, g->Value());
    for (const auto& [labels, cb] : f.callbacks) {
      out += fmt::format("{}{} {}\n", name, labels, FormatValue(cb.second()));
    }
    for (const auto& [labels, h] : f.histograms) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i <= h->bounds().size(); ++i) {
        cumulative += h->BucketCount(i);
        std::string le = i < h->bounds().size() ? FormatValue(h->bounds()[i]) : "+Inf";
        out += fmt::format("{}_bucket{} {}\n", name, WithExtraLabel(labels, fmt::format("le=\"{}\"", le)),
                           cumulative);
      }
      out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, labels, FormatValue(h->Sum()), name, labels,
                         h->Count());
    }
  }
  return out;
}

std::map<std::string, double> ParsePrometheusText(std::string_view text) {
  std::map<std::string, double> out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.rfind(' ');
    if (sp == std::string::npos) continue;
    std::string value = line.substr(sp + 1);
    double v = value == "+Inf" ? INFINITY : value == "-Inf" ? -INFINITY : std::strtod(value.c_str(), nullptr);
    out[line.substr(0, sp)] = v;
  }
  return out;
}

}  // namespace ava
