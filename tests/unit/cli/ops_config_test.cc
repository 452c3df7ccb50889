// The [metrics] and [log] sections of the configuration file.

#include <gtest/gtest.h>

#include <fstream>

#include "config.h"

namespace archivist::cli {
namespace {

std::string Toml(const std::string& name, const std::string& body) {
  std::string path = ::testing::TempDir() + "/ops_config_" + name + ".toml";
  std::ofstream(path) << body;
  return path;
}

TEST(OpsConfigTest, MetricsAndLogSectionsAreRead) {
  auto c = LoadConfig(Toml("ok",
                           "[metrics]\nenabled = false\nlisten = \"127.0.0.1:9500\"\n"
                           "[log]\nlevel = \"debug\"\nformat = \"json\"\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->metrics.enabled);
  EXPECT_EQ(c->metrics.listen, "127.0.0.1:9500");
  EXPECT_EQ(c->log.level, log::Level::kDebug);
  EXPECT_EQ(c->log.format, log::Format::kJson);
}

TEST(OpsConfigTest, DefaultsAreLoopbackAndInfo) {
  AppConfig d;
  EXPECT_TRUE(d.metrics.enabled);
  EXPECT_EQ(d.metrics.listen, "127.0.0.1:9464");
  EXPECT_EQ(d.log.level, log::Level::kInfo);
  EXPECT_EQ(d.log.format, log::Format::kAuto);
}

TEST(OpsConfigTest, BadValuesNameTheKey) {
  for (const char* body : {"[log]\nlevel = \"loud\"\n", "[log]\nformat = 3\n",
                           "[metrics]\nenabled = \"yes\"\n", "[metrics]\nport = 9464\n"}) {
    auto c = LoadConfig(Toml("bad", body));
    ASSERT_FALSE(c.ok()) << body;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(c.status().message().find(std::string(body).substr(1, 3)), std::string::npos)
        << c.status().message();
  }
}

}  // namespace
}  // namespace archivist::cli
