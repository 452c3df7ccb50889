#include <gtest/gtest.h>

#include "archivist/thrift/server.h"

namespace archivist::service {
namespace {

TEST(ServerOptionsTest, DefaultsAreValid) {
  EXPECT_TRUE(ServerOptions{}.Validate().ok());
  EXPECT_EQ(ServerOptions{}.host, "127.0.0.1");
}

TEST(ServerOptionsTest, RefusesOutOfRangeValues) {
  auto expect_invalid = [](auto mutate) {
    ServerOptions options;
    mutate(options);
    const Status status = options.Validate();
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  };
  expect_invalid([](ServerOptions& o) { o.host = ""; });
  expect_invalid([](ServerOptions& o) { o.port = -1; });
  expect_invalid([](ServerOptions& o) { o.port = 70000; });
  expect_invalid([](ServerOptions& o) { o.worker_threads = 0; });
  expect_invalid([](ServerOptions& o) { o.max_frame_bytes = 100; });
  expect_invalid([](ServerOptions& o) { o.max_frame_bytes = 1ll << 32; });
  expect_invalid([](ServerOptions& o) { o.idle_timeout_ms = -5; });
  expect_invalid([](ServerOptions& o) { o.max_k = 0; });
  expect_invalid([](ServerOptions& o) { o.max_list_items = 0; });
}

TEST(ClientOptionsTest, DefaultsAreValidAndPortZeroIsNot) {
  EXPECT_TRUE(ClientOptions{}.Validate().ok());
  ClientOptions options;
  options.port = 0;  // a client must name the server's real port
  EXPECT_FALSE(options.Validate().ok());
}

TEST(ClientTest, UnreachableServerIsUnavailable) {
  // Port 1 on loopback is essentially never served; connecting there fails fast.
  ClientOptions options;
  options.port = 1;
  options.connect_timeout_ms = 2000;
  auto client = Client::Connect(options);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kUnavailable) << client.status().ToString();
}

TEST(ApiVersionTest, MatchesTheIdl) { EXPECT_EQ(ApiVersion(), "1.2"); }

}  // namespace
}  // namespace archivist::service
