#include "discover.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace archivist::pipeline {
namespace {
namespace fs = std::filesystem;

class DiscoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) / ("archivist_discover_test_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    for (const char* f : {"b.pdf", "a.txt", "sub/c.png", "sub/deeper/d.tif", ".hidden/e.txt",
                          "bad/x.pdf", ".dotfile"}) {
      fs::create_directories((root_ / f).parent_path());
      std::ofstream(root_ / f) << "x";
    }
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(DiscoverTest, WalksRecursivelyInSortedOrderSkippingHiddenEntries) {
  auto found = DiscoverFiles({root_.string()});
  std::vector<std::string> rel;
  for (const auto& d : found) {
    ASSERT_TRUE(d.error.ok()) << d.error.ToString();
    rel.push_back(fs::path(d.path).lexically_relative(root_).string());
  }
  EXPECT_EQ(rel, (std::vector<std::string>{"a.txt", "b.pdf", "bad/x.pdf", "sub/c.png",
                                           "sub/deeper/d.tif"}));
}

TEST_F(DiscoverTest, ExcludeGlobsMatchRelativePathsAndNames) {
  auto found = DiscoverFiles({root_.string()}, {"bad/*", "*.tif"});
  std::vector<std::string> rel;
  for (const auto& d : found) rel.push_back(fs::path(d.path).lexically_relative(root_).string());
  EXPECT_EQ(rel, (std::vector<std::string>{"a.txt", "b.pdf", "sub/c.png"}));
}

TEST_F(DiscoverTest, MissingPathIsReportedNotThrown) {
  auto found = DiscoverFiles({(root_ / "nope").string(), (root_ / "a.txt").string()});
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].error.code(), StatusCode::kNotFound);
  EXPECT_TRUE(found[1].error.ok());
}

}  // namespace
}  // namespace archivist::pipeline
