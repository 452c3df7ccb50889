#pragma once
// Per-call metrics for the Thrift processor: archivist_request_duration_seconds{method} from the
// moment a call's request starts being read to the moment its reply is written, and
// archivist_errors_total{source="api",code="internal"} for exceptions the handler did not map.

#include <memory>

namespace apache::thrift {
class TProcessorEventHandler;
}

namespace archivist::service {

std::shared_ptr<apache::thrift::TProcessorEventHandler> MakeMetricsEventHandler();

}  // namespace archivist::service
