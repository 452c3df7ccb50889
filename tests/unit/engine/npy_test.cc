#include "archivist/engine/npy.h"

#include <gtest/gtest.h>

#include "oracle_util.h"

namespace archivist::engine {
namespace {

TEST(NpyTest, RoundTripsAndReadsTheOracleFiles) {
  const std::string path = ::testing::TempDir() + "/npy_test.npy";
  std::vector<float> v = {1.5f, -2.0f, 3.25f, 0.0f, 7.0f, -0.5f};
  const int64_t shape[] = {2, 3};
  ASSERT_TRUE(WriteNpy(path, v, shape).ok());
  auto a = ReadNpy(path);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a->data, v);
  const int64_t flat[] = {6};
  ASSERT_TRUE(WriteNpy(path, v, flat).ok());
  EXPECT_EQ(ReadNpy(path)->shape, (std::vector<int64_t>{6}));
  const int64_t wrong[] = {4};
  EXPECT_EQ(WriteNpy(path, v, wrong).code(), StatusCode::kInvalidArgument);
  if (testing::OracleAvailable()) {
    const auto& res = testing::Manifest()["models"]["qwen3moe_dev"]["results"]["f32"]["precise"]["clinical"];
    auto logits = ReadNpy(testing::OracleDir() + "/" + res["logits"].get<std::string>());
    ASSERT_TRUE(logits.ok());
    EXPECT_EQ(logits->shape, (std::vector<int64_t>{16, 1024}));
  }
}

}  // namespace
}  // namespace archivist::engine
