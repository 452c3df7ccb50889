#include "archivist/base/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace archivist::metrics {
namespace {

enum Kind : int { kCounter = 0, kGauge = 1, kHistogram = 2 };

const char* KindName(int kind) {
  switch (kind) {
    case kCounter: return "counter";
    case kGauge: return "gauge";
    default: return "histogram";
  }
}

bool ValidName(const std::string& s, bool allow_colon) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (allow_colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Label values escape backslash, double quote and newline; HELP text only backslash and newline.
std::string Escape(std::string_view s, bool quotes) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (quotes && c == '"') out += "\\\"";
    else out += c;
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  // Integers print exactly (counts up to 2^53); others with enough digits to round-trip.
  if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.17g", v);
  }
  return buf;
}

std::string LabelSet(const std::vector<std::string>& names, const std::vector<std::string>& values,
                     const std::string& extra_name = {}, const std::string& extra_value = {}) {
  if (names.empty() && extra_name.empty()) return {};
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    out += names[i] + "=\"" + Escape(values[i], true) + "\"";
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += extra_name + "=\"" + extra_value + "\"";
  }
  return out + "}";
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double v) {
  // Prometheus buckets are "less than or equal": the first bound >= v.
  size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::BucketCounts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  for (size_t i = 0; i < out.size(); ++i) out[i] = buckets_[i].load(std::memory_order_relaxed);
  return out;
}

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> b = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                        0.5,   1,      2.5,   5,    10,    30,   60,  120, 300};
  return b;
}

CollectorHandle& CollectorHandle::operator=(CollectorHandle&& o) noexcept {
  if (this != &o) {
    Reset();
    registry_ = o.registry_;
    id_ = o.id_;
    o.registry_ = nullptr;
  }
  return *this;
}

void CollectorHandle::Reset() {
  if (registry_) registry_->RemoveCollector(id_);
  registry_ = nullptr;
}

struct Registry::Family {
  int kind = kCounter;
  std::string help;
  std::vector<std::string> label_names;
  std::vector<double> bounds;
  // Child series by label values. unique_ptr keeps references stable across inserts.
  std::map<std::vector<std::string>, std::unique_ptr<metrics::Counter>> counters;
  std::map<std::vector<std::string>, std::unique_ptr<metrics::Gauge>> gauges;
  std::map<std::vector<std::string>, std::unique_ptr<metrics::Histogram>> histograms;
};

Registry::Registry() = default;
Registry::~Registry() = default;

Status Registry::Declare(const std::string& name, const std::string& help, int kind,
                         std::vector<std::string> label_names, std::vector<double> bounds) {
  if (!ValidName(name, true)) return Status::InvalidArgument("bad metric name '" + name + "'");
  for (const auto& l : label_names) {
    if (!ValidName(l, false) || l.rfind("__", 0) == 0 || (kind == kHistogram && l == "le"))
      return Status::InvalidArgument("bad label name '" + l + "' for metric '" + name + "'");
  }
  if (kind == kHistogram) {
    if (bounds.empty() || !std::is_sorted(bounds.begin(), bounds.end()) ||
        std::adjacent_find(bounds.begin(), bounds.end()) != bounds.end() ||
        !std::all_of(bounds.begin(), bounds.end(), [](double b) { return std::isfinite(b); }))
      return Status::InvalidArgument("histogram '" + name +
                                     "' needs finite, strictly increasing bucket bounds");
  }
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    if (it->second->kind != kind || it->second->label_names != label_names)
      return Status::InvalidArgument("metric '" + name + "' is already declared differently");
    return Status::Ok();
  }
  auto f = std::make_unique<Family>();
  f->kind = kind;
  f->help = help;
  f->label_names = std::move(label_names);
  f->bounds = std::move(bounds);
  families_.emplace(name, std::move(f));
  return Status::Ok();
}

Status Registry::DeclareCounter(const std::string& name, const std::string& help,
                                std::vector<std::string> label_names) {
  return Declare(name, help, kCounter, std::move(label_names), {});
}
Status Registry::DeclareGauge(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names) {
  return Declare(name, help, kGauge, std::move(label_names), {});
}
Status Registry::DeclareHistogram(const std::string& name, const std::string& help,
                                  std::vector<double> bounds,
                                  std::vector<std::string> label_names) {
  return Declare(name, help, kHistogram, std::move(label_names), std::move(bounds));
}

void* Registry::Child(const std::string& name, int kind, const std::vector<std::string>& values) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end() || it->second->kind != kind ||
      it->second->label_names.size() != values.size())
    return nullptr;
  Family& f = *it->second;
  switch (kind) {
    case kCounter: {
      auto& slot = f.counters[values];
      if (!slot) slot = std::make_unique<metrics::Counter>();
      return slot.get();
    }
    case kGauge: {
      auto& slot = f.gauges[values];
      if (!slot) slot = std::make_unique<metrics::Gauge>();
      return slot.get();
    }
    default: {
      auto& slot = f.histograms[values];
      if (!slot) slot = std::make_unique<metrics::Histogram>(f.bounds);
      return slot.get();
    }
  }
}

metrics::Counter& Registry::Counter(const std::string& name,
                                    const std::vector<std::string>& values) {
  if (void* p = Child(name, kCounter, values)) return *static_cast<metrics::Counter*>(p);
  static metrics::Counter dummy;  // misuse is counted nowhere rather than crashing
  return dummy;
}

metrics::Gauge& Registry::Gauge(const std::string& name, const std::vector<std::string>& values) {
  if (void* p = Child(name, kGauge, values)) return *static_cast<metrics::Gauge*>(p);
  static metrics::Gauge dummy;
  return dummy;
}

metrics::Histogram& Registry::Histogram(const std::string& name,
                                        const std::vector<std::string>& values) {
  if (void* p = Child(name, kHistogram, values)) return *static_cast<metrics::Histogram*>(p);
  static metrics::Histogram dummy({1.0});
  return dummy;
}

CollectorHandle Registry::AddCollector(Collector collector) {
  std::lock_guard lock(mu_);
  uint64_t id = next_collector_++;
  collectors_.emplace(id, std::move(collector));
  return CollectorHandle(this, id);
}

void Registry::RemoveCollector(uint64_t id) {
  std::lock_guard lock(mu_);
  collectors_.erase(id);
}

std::string Registry::Render() const {
  std::string out;
  auto header = [&](const std::string& name, const std::string& help, const char* type) {
    out += "# HELP " + name + " " + Escape(help, false) + "\n";
    out += "# TYPE " + name + " " + type + "\n";
  };
  std::lock_guard lock(mu_);
  for (const auto& [name, f] : families_) {
    header(name, f->help, KindName(f->kind));
    for (const auto& [values, c] : f->counters)
      out += name + LabelSet(f->label_names, values) + " " + FormatValue(double(c->Value())) + "\n";
    for (const auto& [values, g] : f->gauges)
      out += name + LabelSet(f->label_names, values) + " " + FormatValue(g->Value()) + "\n";
    for (const auto& [values, h] : f->histograms) {
      // Read the buckets once; _count is their total so the series stay self-consistent even
      // while observations land during the scrape.
      std::vector<uint64_t> counts = h->BucketCounts();
      uint64_t cumulative = 0;
      for (size_t i = 0; i < counts.size(); ++i) {
        cumulative += counts[i];
        std::string le = i < f->bounds.size() ? FormatValue(f->bounds[i]) : "+Inf";
        out += name + "_bucket" + LabelSet(f->label_names, values, "le", le) + " " +
               FormatValue(double(cumulative)) + "\n";
      }
      out += name + "_sum" + LabelSet(f->label_names, values) + " " + FormatValue(h->Sum()) + "\n";
      out += name + "_count" + LabelSet(f->label_names, values) + " " +
             FormatValue(double(cumulative)) + "\n";
    }
  }
  // Collector samples grouped by name so each family has one header, as the format requires.
  std::vector<Sample> samples;
  for (const auto& [id, collect] : collectors_) collect(&samples);
  std::stable_sort(samples.begin(), samples.end(),
                   [](const Sample& a, const Sample& b) { return a.name < b.name; });
  for (size_t i = 0; i < samples.size(); ++i) {
    const Sample& s = samples[i];
    if (!ValidName(s.name, true) || families_.count(s.name)) continue;
    if (i == 0 || samples[i - 1].name != s.name) header(s.name, s.help, "gauge");
    std::vector<std::string> names, values;
    for (const auto& [n, v] : s.labels) {
      names.push_back(n);
      values.push_back(v);
    }
    out += s.name + LabelSet(names, values) + " " + FormatValue(s.value) + "\n";
  }
  return out;
}

std::string_view CodeLabel(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kUnsupported: return "unsupported";
    case StatusCode::kResourceExhausted: return "resource_exhausted";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kInternal: return "internal";
    case StatusCode::kPermissionDenied: return "permission_denied";
    case StatusCode::kUnauthenticated: return "unauthenticated";
    case StatusCode::kAlreadyExists: return "already_exists";
  }
  return "unknown";
}

Registry& Default() {
  static Registry* registry = [] {
    auto* r = new Registry();  // never destroyed: worker threads may record during exit
    (void)r->DeclareGauge("archivist_build_info", "Archivist build; the value is always 1",
                          {"version"});
    (void)r->DeclareCounter("archivist_ingest_documents_total",
                            "Files through the ingest pipeline, by outcome", {"outcome"});
    (void)r->DeclareHistogram("archivist_ingest_duration_seconds",
                              "Per-document ingest time from read to commit", LatencyBuckets(),
                              {"outcome"});
    (void)r->DeclareGauge("archivist_ingest_documents_in_flight",
                          "Documents read into the ingest pipeline and not yet committed");
    (void)r->DeclareHistogram("archivist_request_duration_seconds",
                              "API call time from request read to reply written, per method",
                              LatencyBuckets(), {"method"});
    (void)r->DeclareCounter("archivist_errors_total",
                            "Failures by where they surfaced and their status code",
                            {"source", "code"});
    return r;
  }();
  return *registry;
}

void SetBuildInfo(std::string_view version) {
  Default().Gauge("archivist_build_info", {std::string(version)}).Set(1);
}

void IngestStarted() { Default().Gauge("archivist_ingest_documents_in_flight").Add(1); }

void IngestFinished(std::string_view outcome, double seconds, StatusCode error) {
  Registry& r = Default();
  r.Gauge("archivist_ingest_documents_in_flight").Add(-1);
  r.Counter("archivist_ingest_documents_total", {std::string(outcome)}).Inc();
  r.Histogram("archivist_ingest_duration_seconds", {std::string(outcome)}).Observe(seconds);
  if (error != StatusCode::kOk) CountError("ingest", error);
}

void RequestFinished(std::string_view method, double seconds) {
  Default().Histogram("archivist_request_duration_seconds", {std::string(method)}).Observe(seconds);
}

void CountError(std::string_view source, StatusCode code) {
  Default()
      .Counter("archivist_errors_total", {std::string(source), std::string(CodeLabel(code))})
      .Inc();
}

}  // namespace archivist::metrics
