#include "metrics_events.h"

#include <thrift/TProcessor.h>

#include <chrono>
#include <string_view>

#include "archivist/base/metrics.h"

namespace archivist::service {
namespace {

using Clock = std::chrono::steady_clock;

class MetricsEventHandler : public apache::thrift::TProcessorEventHandler {
 public:
  // The context is the call's start time; Thrift hands it back to every later hook of the call.
  void* getContext(const char* /*fn_name*/, void* /*server_context*/) override {
    return new Clock::time_point(Clock::now());
  }
  void freeContext(void* ctx, const char* /*fn_name*/) override {
    delete static_cast<Clock::time_point*>(ctx);
  }
  void preRead(void* ctx, const char* /*fn_name*/) override {
    // getContext runs when the method name has been read; restart at the request body.
    *static_cast<Clock::time_point*>(ctx) = Clock::now();
  }
  void postWrite(void* ctx, const char* fn_name, uint32_t /*bytes*/) override {
    const auto start = *static_cast<Clock::time_point*>(ctx);
    // Generated code names calls "ArchivistService.search"; the label is the method alone.
    std::string_view name = fn_name ? fn_name : "unknown";
    if (size_t dot = name.rfind('.'); dot != std::string_view::npos) name.remove_prefix(dot + 1);
    metrics::RequestFinished(name, std::chrono::duration<double>(Clock::now() - start).count());
  }
  void handlerError(void* /*ctx*/, const char* /*fn_name*/) override {
    metrics::CountError("api", StatusCode::kInternal);
  }
};

}  // namespace

std::shared_ptr<apache::thrift::TProcessorEventHandler> MakeMetricsEventHandler() {
  return std::make_shared<MetricsEventHandler>();
}

}  // namespace archivist::service
