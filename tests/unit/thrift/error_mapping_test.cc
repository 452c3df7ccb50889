#include "error_mapping.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <new>
#include <stdexcept>
#include <vector>

namespace archivist::service {
namespace {

TEST(ErrorMappingTest, EveryErrorCodeSurvivesTheRoundTrip) {
  const std::vector<StatusCode> codes = {
      StatusCode::kInvalidArgument, StatusCode::kNotFound,          StatusCode::kCorruption,
      StatusCode::kUnsupported,     StatusCode::kResourceExhausted, StatusCode::kUnavailable,
      StatusCode::kInternal,        StatusCode::kPermissionDenied,  StatusCode::kUnauthenticated,
      StatusCode::kAlreadyExists};
  std::vector<thrift_gen::ErrorCode::type> seen;
  for (StatusCode code : codes) {
    const Status original(code, "what went wrong: " + std::string(StatusCodeName(code)));
    const thrift_gen::ArchivistError wire = ToArchivistError(original);
    EXPECT_EQ(wire.message, original.message());
    const Status back = FromArchivistError(wire);
    EXPECT_EQ(back.code(), code) << original.ToString();
    EXPECT_EQ(back.message(), original.message());
    seen.push_back(wire.code);
  }
  // Distinct codes stay distinct on the wire, so clients can branch on them.
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
}

TEST(ErrorMappingTest, NamedWireCodesMatchTheIdl) {
  EXPECT_EQ(ToArchivistError(Status::InvalidArgument("x")).code,
            thrift_gen::ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(ToArchivistError(Status::NotFound("x")).code, thrift_gen::ErrorCode::NOT_FOUND);
  EXPECT_EQ(ToArchivistError(Status::Unauthenticated("x")).code,
            thrift_gen::ErrorCode::UNAUTHENTICATED);
  EXPECT_EQ(ToArchivistError(Status::Corruption("x")).code, thrift_gen::ErrorCode::DATA_CORRUPTION);
}

TEST(ErrorMappingTest, AnOkStatusNeverTravelsAsSuccess) {
  const thrift_gen::ArchivistError wire = ToArchivistError(Status::Ok());
  EXPECT_EQ(wire.code, thrift_gen::ErrorCode::INTERNAL);
  EXPECT_FALSE(wire.message.empty());
}

TEST(ErrorMappingTest, UnknownCodeFromANewerServerIsInternalAndNamesTheCode) {
  thrift_gen::ArchivistError wire;
  wire.code = static_cast<thrift_gen::ErrorCode::type>(99);
  wire.message = "a future failure";
  const Status status = FromArchivistError(wire);
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("99"), std::string::npos);
  EXPECT_NE(status.message().find("a future failure"), std::string::npos);
}

TEST(ErrorMappingTest, EmptyMessageStillReadsAsAnError) {
  thrift_gen::ArchivistError wire;
  wire.code = thrift_gen::ErrorCode::NOT_FOUND;
  const Status status = FromArchivistError(wire);
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_FALSE(status.message().empty());
}

thrift_gen::ArchivistError Convert(const std::function<void()>& thrower) {
  try {
    thrower();
  } catch (...) {
    return ArchivistErrorFromCurrentException();
  }
  ADD_FAILURE() << "nothing was thrown";
  return {};
}

TEST(ErrorMappingTest, EscapedExceptionsBecomeTypedErrors) {
  const auto runtime = Convert([] { throw std::runtime_error("disk on fire"); });
  EXPECT_EQ(runtime.code, thrift_gen::ErrorCode::INTERNAL);
  EXPECT_NE(runtime.message.find("disk on fire"), std::string::npos);

  EXPECT_EQ(Convert([] { throw std::bad_alloc(); }).code,
            thrift_gen::ErrorCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(Convert([] { throw 42; }).code, thrift_gen::ErrorCode::INTERNAL);

  const auto typed = Convert([] { throw ToArchivistError(Status::NotFound("no such doc")); });
  EXPECT_EQ(typed.code, thrift_gen::ErrorCode::NOT_FOUND);
  EXPECT_EQ(typed.message, "no such doc");
}

}  // namespace
}  // namespace archivist::service
