#include "archivist/base/status.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "archivist/base/file_util.h"
#include "archivist/base/sha256.h"

namespace archivist {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  ARCHIVIST_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(StatusTest, CarriesCodeAndMessage) {
  Status s = Status::NotFound("document abc");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "not found: document abc");
  EXPECT_EQ(s.WithContext("inspect").message(), "inspect: document abc");
  EXPECT_TRUE(Status::Ok().ok());
}

TEST(StatusTest, ResultPropagatesErrors) {
  EXPECT_EQ(Quarter(8).value(), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "odd: 3");
}

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(FileUtilTest, AtomicWriteThenRead) {
  std::string path = ::testing::TempDir() + "/archivist_file_util_test_" + std::to_string(::getpid()) + ".txt";
  ASSERT_TRUE(WriteFileAtomic(path, "hello").ok());
  ASSERT_TRUE(WriteFileAtomic(path, "replaced").ok());
  auto r = ReadFile(path);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "replaced");
  EXPECT_EQ(ReadFile(path, 3).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(ReadFile(path + ".missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ReadFile(::testing::TempDir()).status().code(), StatusCode::kInvalidArgument);
}

TEST(FileUtilTest, FormatsIso8601) { EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00Z"); }

}  // namespace
}  // namespace archivist
