#include "request_checks.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace archivist::service {
namespace {

TEST(Utf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("warfarin 5 mg"));
  EXPECT_TRUE(IsValidUtf8("Patientin M\xc3\xbcller"));  // ü
  EXPECT_TRUE(IsValidUtf8("\xe2\x82\xac 100"));         // €
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x92\x8a"));         // U+1F48A
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));         // U+10FFFF
}

TEST(Utf8Test, RefusesMalformedText) {
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\x80 stray continuation"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated at the end
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated at the end
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("ab\xc3(cd"));         // bad continuation mid-string
}

TEST(UploadFileNameTest, KeepsPlainNamesAndDefaultsEmptyOnes) {
  EXPECT_EQ(*CheckUploadFileName("discharge_2024-03-02.pdf"), "discharge_2024-03-02.pdf");
  EXPECT_EQ(*CheckUploadFileName("Befund M\xc3\xbcller.txt"), "Befund M\xc3\xbcller.txt");
  EXPECT_EQ(*CheckUploadFileName(""), "upload");
}

TEST(UploadFileNameTest, RefusesAnythingThatCouldLeaveTheSpoolDirectory) {
  const std::vector<std::string> names = {"../etc/passwd",
                                          "a/b.pdf",
                                          "/abs.pdf",
                                          "..",
                                          ".",
                                          "a\\b.pdf",
                                          std::string("nul\0byte", 8),
                                          "new\nline",
                                          "\xff.pdf",
                                          std::string(300, 'a')};
  for (const std::string& bad : names) {
    auto result = CheckUploadFileName(bad);
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(DocIdTest, AcceptsOnlyLowerHexSha256) {
  EXPECT_TRUE(CheckDocId(std::string(64, 'a')).ok());
  EXPECT_TRUE(CheckDocId("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef").ok());
  EXPECT_FALSE(CheckDocId("").ok());
  EXPECT_FALSE(CheckDocId(std::string(63, 'a')).ok());
  EXPECT_FALSE(CheckDocId(std::string(64, 'A')).ok());
  EXPECT_FALSE(CheckDocId(std::string(64, 'g')).ok());
}

TEST(LabelTest, BoundsCollectionAndTagNames) {
  EXPECT_TRUE(CheckLabel("collection", "clinic").ok());
  EXPECT_FALSE(CheckLabel("collection", "").ok());
  EXPECT_FALSE(CheckLabel("collection", std::string(129, 'c')).ok());
  EXPECT_FALSE(CheckLabel("tag", "tab\there").ok());
  const Status bad = CheckLabel("tag", "\xfe");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("tag"), std::string::npos);
}

thrift_gen::SearchRequest Search(const std::string& query) {
  thrift_gen::SearchRequest request;
  request.__set_query(query);
  return request;
}

TEST(SearchOptionsTest, UnsetFieldsTakeTheIdlDefaults) {
  auto options = SearchOptionsFromRequest(Search("warfarin"), RequestLimits{});
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->k, 10);
  EXPECT_EQ(options->mode, index::SearchMode::kHybrid);
  EXPECT_TRUE(options->collection.empty());
  EXPECT_GE(options->candidates, options->k);
}

TEST(SearchOptionsTest, CarriesEveryField) {
  auto request = Search("wire transfer");
  request.__set_k(25);
  request.__set_mode(thrift_gen::SearchMode::LEXICAL);
  request.__set_collection("legal");
  request.__set_candidates(200);
  auto options = SearchOptionsFromRequest(request, RequestLimits{});
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->k, 25);
  EXPECT_EQ(options->mode, index::SearchMode::kLexical);
  EXPECT_EQ(options->collection, "legal");
  EXPECT_EQ(options->candidates, 200);
}

TEST(SearchOptionsTest, RefusesBadRequestsNamingTheField) {
  struct Case {
    const char* field;
    thrift_gen::SearchRequest request;
  };
  std::vector<Case> cases;
  cases.push_back({"query", Search("")});
  cases.push_back({"query", Search(" \t\n")});
  cases.push_back({"query", Search("caf\xc3")});
  cases.push_back({"query", Search(std::string(9000, 'q'))});
  auto k0 = Search("x");
  k0.__set_k(0);
  cases.push_back({"k", k0});
  auto k_big = Search("x");
  k_big.__set_k(1001);
  cases.push_back({"k", k_big});
  auto mode = Search("x");
  mode.__set_mode(static_cast<thrift_gen::SearchMode::type>(7));
  cases.push_back({"mode", mode});
  auto shallow = Search("x");
  shallow.__set_k(50);
  shallow.__set_candidates(10);
  cases.push_back({"candidates", shallow});
  auto collection = Search("x");
  collection.__set_collection(std::string("bad\x01"));
  cases.push_back({"collection", collection});

  for (const Case& c : cases) {
    auto options = SearchOptionsFromRequest(c.request, RequestLimits{});
    ASSERT_FALSE(options.ok()) << c.field;
    EXPECT_EQ(options.status().code(), StatusCode::kInvalidArgument) << c.field;
    EXPECT_NE(options.status().message().find(c.field), std::string::npos)
        << options.status().ToString();
  }
}

TEST(SearchOptionsTest, HonoursConfiguredLimits) {
  auto request = Search("abcdef");
  request.__set_k(6);
  EXPECT_FALSE(SearchOptionsFromRequest(request, RequestLimits{5, 100}).ok());
  EXPECT_FALSE(SearchOptionsFromRequest(Search("abcdef"), RequestLimits{10, 5}).ok());
  request.__set_k(5);
  EXPECT_TRUE(SearchOptionsFromRequest(request, RequestLimits{5, 100}).ok());
}

TEST(AskOptionsTest, DefaultsAndBounds) {
  thrift_gen::AskRequest request;
  request.__set_question("which anticoagulant was she on?");
  auto options = AskOptionsFromRequest(request, RequestLimits{});
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->max_sentences, 3);
  EXPECT_EQ(options->retrieve_k, 8);
  EXPECT_DOUBLE_EQ(options->min_support, 0.2);

  auto bad = request;
  bad.__set_min_support(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(AskOptionsFromRequest(bad, RequestLimits{}).status().code(),
            StatusCode::kInvalidArgument);
  bad = request;
  bad.__set_max_sentences(0);
  EXPECT_FALSE(AskOptionsFromRequest(bad, RequestLimits{}).ok());
  bad = request;
  bad.__set_retrieve_k(101);
  EXPECT_FALSE(AskOptionsFromRequest(bad, RequestLimits{}).ok());
  bad = request;
  bad.__set_question("");
  EXPECT_FALSE(AskOptionsFromRequest(bad, RequestLimits{}).ok());
}

TEST(ListWindowTest, DefaultsAndBounds) {
  thrift_gen::ListDocumentsRequest request;
  auto window = ListWindowFromRequest(request);
  ASSERT_TRUE(window.ok());
  EXPECT_EQ(window->offset, 0);
  EXPECT_EQ(window->limit, 100);
  EXPECT_TRUE(window->collection.empty());

  request.__set_collection("clinic");
  request.__set_offset(20);
  request.__set_limit(5);
  window = ListWindowFromRequest(request);
  ASSERT_TRUE(window.ok());
  EXPECT_EQ(window->collection, "clinic");
  EXPECT_EQ(window->offset, 20);
  EXPECT_EQ(window->limit, 5);

  request.__set_limit(0);
  EXPECT_FALSE(ListWindowFromRequest(request).ok());
  request.__set_limit(1001);
  EXPECT_FALSE(ListWindowFromRequest(request).ok());
  request.__set_limit(10);
  request.__set_offset(-1);
  EXPECT_FALSE(ListWindowFromRequest(request).ok());
}

TEST(IngestLabelsTest, ChecksCollectionAndTags) {
  thrift_gen::IngestRequest request;
  EXPECT_TRUE(CheckIngestLabels(request).ok());
  request.__set_collection("clinic");
  request.__set_tags({"cardiology", "2024"});
  EXPECT_TRUE(CheckIngestLabels(request).ok());
  request.__set_tags({"ok", ""});
  EXPECT_FALSE(CheckIngestLabels(request).ok());
  request.__set_tags(std::vector<std::string>(65, "t"));
  EXPECT_FALSE(CheckIngestLabels(request).ok());
}

}  // namespace
}  // namespace archivist::service
