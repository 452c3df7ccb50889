#pragma once
// Process-wide operational metrics in the Prometheus text exposition format (version 0.0.4).
//
// A Registry holds metric families (counter, gauge, histogram), each with a fixed label-name list.
// Child series are created on first use and live as long as the registry, so callers may keep the
// returned reference and update it without any lookup: updates are lock-free atomics; only the
// lookup (`Counter(name, labels)`) and Render() take the registry mutex. All methods are
// thread-safe.
//
// Values that another component already keeps (documents in the store, ...) are not copied into
// the registry: a Collector callback produces them at scrape time, and its registration is undone
// by destroying the returned handle, so it may not outlive what it reads.
//
// Why a process-wide Default(): the ingest graph, the Thrift processor and the CLI each report a
// few events, and threading a registry pointer through every options struct of other modules
// would touch them all for a line each. Tests render Default() or build a private Registry.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "archivist/base/status.h"

namespace archivist::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;  // name, value; in family order

class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Fixed upper bounds (ascending, finite); an implicit +Inf bucket follows the last one.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Per-bucket (not cumulative) counts, bounds().size() + 1 entries, the last for +Inf.
  std::vector<uint64_t> BucketCounts() const;
  uint64_t Count() const { return count_.load(std::memory_order_relaxed); }
  double Sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

// Latency buckets in seconds, 1 ms .. 5 min: covers a BM25 query and a 300-page OCR scan.
const std::vector<double>& LatencyBuckets();

// One value a collector reports at scrape time, as a gauge.
struct Sample {
  std::string name;  // family name; families with the same name share one HELP/TYPE header
  std::string help;
  Labels labels;
  double value = 0.0;
};
using Collector = std::function<void(std::vector<Sample>* out)>;

class Registry;
// Unregisters its collector when destroyed. Movable, not copyable.
class CollectorHandle {
 public:
  CollectorHandle() = default;
  CollectorHandle(Registry* registry, uint64_t id) : registry_(registry), id_(id) {}
  CollectorHandle(CollectorHandle&& o) noexcept : registry_(o.registry_), id_(o.id_) {
    o.registry_ = nullptr;
  }
  CollectorHandle& operator=(CollectorHandle&& o) noexcept;
  CollectorHandle(const CollectorHandle&) = delete;
  CollectorHandle& operator=(const CollectorHandle&) = delete;
  ~CollectorHandle() { Reset(); }
  void Reset();

 private:
  Registry* registry_ = nullptr;
  uint64_t id_ = 0;
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Declare a family once (later declarations with the same name and kind are no-ops).
  // Names must match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*; a bad name
  // or a redeclaration with another kind is a programmer error and returns kInvalidArgument.
  Status DeclareCounter(const std::string& name, const std::string& help,
                        std::vector<std::string> label_names = {});
  Status DeclareGauge(const std::string& name, const std::string& help,
                      std::vector<std::string> label_names = {});
  Status DeclareHistogram(const std::string& name, const std::string& help,
                          std::vector<double> bounds, std::vector<std::string> label_names = {});

  // The child series of a declared family for these label values (in the family's label order).
  // An undeclared family or a wrong number of values returns a detached dummy, never a crash:
  // metrics must not take the service down.
  metrics::Counter& Counter(const std::string& name, const std::vector<std::string>& values = {});
  metrics::Gauge& Gauge(const std::string& name, const std::vector<std::string>& values = {});
  metrics::Histogram& Histogram(const std::string& name,
                                const std::vector<std::string>& values = {});

  [[nodiscard]] CollectorHandle AddCollector(Collector collector);

  // Every family, then every collector sample, in the text exposition format 0.0.4.
  std::string Render() const;

 private:
  friend class CollectorHandle;
  struct Family;
  void RemoveCollector(uint64_t id);
  Status Declare(const std::string& name, const std::string& help, int kind,
                 std::vector<std::string> label_names, std::vector<double> bounds);
  void* Child(const std::string& name, int kind, const std::vector<std::string>& values);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>> families_;
  std::map<uint64_t, Collector> collectors_;
  uint64_t next_collector_ = 1;
};

// The process-wide registry, with the standard Archivist families below already declared.
Registry& Default();

// Content type of Render() output.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// ---- The standard Archivist series (all in Default()) -----------------------------------------
// archivist_build_info{version}                         gauge 1
// archivist_ingest_documents_total{outcome}             ingested | duplicate | failed
// archivist_ingest_duration_seconds{outcome}            per document, read to commit
// archivist_ingest_documents_in_flight                  read into the pipeline, not yet committed
// archivist_request_duration_seconds{method}            Thrift calls, per method
// archivist_errors_total{source,code}                   source: api | ingest | cli; code: status name
// archivist_{documents,pages,chunks,...}                from the store, via a collector

void SetBuildInfo(std::string_view version);
void IngestStarted();
void IngestFinished(std::string_view outcome, double seconds, StatusCode error);
void RequestFinished(std::string_view method, double seconds);
void CountError(std::string_view source, StatusCode code);

// Stable lower-case names for the code label: "invalid_argument", "not_found", ...
std::string_view CodeLabel(StatusCode code);

}  // namespace archivist::metrics
