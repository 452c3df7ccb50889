#include "analyzer.h"

#include <gtest/gtest.h>

#include "query_parser.h"

namespace archivist::index {
namespace {

TEST(AnalyzerTest, SegmentsFoldsAndStems) {
  Analyzer a(/*stemming=*/true);
  EXPECT_EQ(a.Terms("Running runners RAN, quickly!"),
            (std::vector<std::string>{"run", "runner", "ran", "quick"}));
}

TEST(AnalyzerTest, NormalizesUnicode) {
  Analyzer a(/*stemming=*/false);
  // Diacritics removed, full-width letters and the fi ligature folded by NFKC, German sharp s
  // case-folded.
  EXPECT_EQ(a.Terms("Café ＡＢＣ ﬁle STRASSE Straße"),
            (std::vector<std::string>{"cafe", "abc", "file", "strasse", "strasse"}));
  // Combining marks of other scripts are letters, not accents: Devanagari keeps its vowel signs.
  EXPECT_EQ(a.Terms("हिन्दी"), (std::vector<std::string>{"हिन्दी"}));
}

TEST(AnalyzerTest, OffsetsAndPositionsPointIntoTheText) {
  Analyzer a(/*stemming=*/true);
  std::string text = "Él  paid 3.5 million — offshore.";
  auto tokens = a.Tokenize(text);
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(text.substr(tokens[0].begin, tokens[0].end - tokens[0].begin), "Él");
  EXPECT_EQ(tokens[0].term, "el");
  EXPECT_EQ(tokens[2].term, "3.5");
  EXPECT_TRUE(tokens[2].numeric);
  EXPECT_EQ(text.substr(tokens[4].begin, tokens[4].end - tokens[4].begin), "offshore");
  for (size_t i = 0; i < tokens.size(); ++i) EXPECT_EQ(tokens[i].position, i);
}

TEST(AnalyzerTest, InvalidUtf8DoesNotCrash) {
  Analyzer a(true);
  std::string bad = "good \xff\xfe bytes \xc3";
  auto terms = a.Terms(bad);
  ASSERT_GE(terms.size(), 2u);
  EXPECT_EQ(terms[0], "good");
}

TEST(QueryParserTest, ParsesClausesAndFilters) {
  Analyzer a(true);
  auto q = ParseQuery(R"(wire transfers AND "Offshore accounts" -cash NOT "petty cash" transf* )"
                      R"(collection:legal type:pdf tag:"two words" after:2024-01 before:2025)",
                      a);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  const auto& c = q->clauses;
  ASSERT_EQ(c.size(), 6u);
  EXPECT_EQ(c[0].terms, std::vector<std::string>{"wire"});
  EXPECT_EQ(c[0].occur, Occur::kShould);
  EXPECT_EQ(c[1].terms, std::vector<std::string>{"transfer"});
  EXPECT_EQ(c[1].occur, Occur::kMust);  // left of AND
  EXPECT_TRUE(c[2].phrase);
  EXPECT_EQ(c[2].occur, Occur::kMust);  // phrases are required
  EXPECT_EQ(c[2].terms, (std::vector<std::string>{"offshor", "account"}));
  EXPECT_EQ(c[3].occur, Occur::kMustNot);
  EXPECT_EQ(c[4].occur, Occur::kMustNot);
  EXPECT_TRUE(c[4].phrase);
  EXPECT_TRUE(c[5].prefix);
  EXPECT_EQ(c[5].terms, std::vector<std::string>{"transf"});
  EXPECT_EQ(q->filters.collections, std::vector<std::string>{"legal"});
  EXPECT_EQ(q->filters.media_types, std::vector<std::string>{"pdf"});
  EXPECT_EQ(q->filters.tags, std::vector<std::string>{"two words"});
  EXPECT_EQ(q->filters.after, "2024-01");
  EXPECT_EQ(q->filters.before, "2025");
}

TEST(QueryParserTest, MalformedQueriesNameThePosition) {
  Analyzer a(true);
  auto q = ParseQuery(R"(wire "offshore account)", a);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(q.status().message().find("position 5"), std::string::npos) << q.status().message();
  EXPECT_NE(q.status().message().find("unbalanced quote"), std::string::npos);

  q = ParseQuery("tax after:yesterday", a);
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.status().message().find("position 10"), std::string::npos) << q.status().message();

  q = ParseQuery("-only -exclusions", a);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument);

  q = ParseQuery("   ", a);
  EXPECT_FALSE(q.ok());
  q = ParseQuery("a*", a);
  EXPECT_FALSE(q.ok());
}

TEST(QueryParserTest, UnknownFieldsAreWords) {
  Analyzer a(false);
  auto q = ParseQuery("meeting 10:30 re:budget", a);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_TRUE(q->filters.empty());
  std::vector<std::string> terms;
  for (const auto& c : q->clauses) terms.insert(terms.end(), c.terms.begin(), c.terms.end());
  EXPECT_EQ(terms, (std::vector<std::string>{"meeting", "10", "30", "re", "budget"}));
}

}  // namespace
}  // namespace archivist::index
