#include "archivist/base/log.h"

#include <gtest/gtest.h>

namespace archivist::log {
namespace {

constexpr int64_t kT = 1795791845123;  // 2026-11-27T15:04:05.123Z

TEST(LogTest, TextLineHasTimeLevelMessageAndQuotedFields) {
  std::string line = FormatLine(Format::kText, Level::kWarning, "ingest failed",
                                {{"path", "/in/a b.pdf"}, {"code", "unsupported"}, {"q", "x\"y"}},
                                kT);
  EXPECT_EQ(line,
            "2026-11-27T15:04:05.123Z warn  ingest failed path=\"/in/a b.pdf\" code=unsupported "
            "q=\"x\\\"y\"");
}

TEST(LogTest, JournalLineStartsWithTheSyslogPriority) {
  EXPECT_EQ(FormatLine(Format::kJournal, Level::kError, "boom", {{"k", "v"}}, kT), "<3>boom k=v");
  EXPECT_EQ(FormatLine(Format::kJournal, Level::kDebug, "d", {}, kT), "<7>d");
  EXPECT_EQ(FormatLine(Format::kJournal, Level::kInfo, "i", {}, kT), "<6>i");
}

TEST(LogTest, NewlinesNeverSplitAnEvent) {
  for (Format f : {Format::kText, Format::kJson, Format::kJournal}) {
    std::string line = FormatLine(f, Level::kInfo, "two\nlines", {{"k", "a\nb"}, {"x\ny", "1"}}, kT);
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  }
}

TEST(LogTest, JsonLineIsOneObjectWithEscapes) {
  std::string line = FormatLine(Format::kJson, Level::kInfo, "say \"hi\"",
                                {{"path", "C:\\x"}, {"ctl", std::string("\x01", 1)}}, kT);
  EXPECT_EQ(line,
            "{\"ts\":\"2026-11-27T15:04:05.123Z\",\"level\":\"info\",\"msg\":\"say \\\"hi\\\"\","
            "\"path\":\"C:\\\\x\",\"ctl\":\"\\u0001\"}");
}

TEST(LogTest, ParsingAndLevelFilter) {
  EXPECT_EQ(*ParseLevel("debug"), Level::kDebug);
  EXPECT_EQ(*ParseLevel("warn"), Level::kWarning);
  EXPECT_EQ(ParseLevel("loud").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*ParseFormat("journal"), Format::kJournal);
  EXPECT_EQ(ParseFormat("xml").status().code(), StatusCode::kInvalidArgument);
  Configure({Level::kWarning, Format::kJson});
  EXPECT_EQ(CurrentFormat(), Format::kJson);
  EXPECT_TRUE(Enabled(Level::kError));
  EXPECT_TRUE(Enabled(Level::kWarning));
  EXPECT_FALSE(Enabled(Level::kInfo));
  Configure({});
  EXPECT_TRUE(Enabled(Level::kInfo));
  EXPECT_FALSE(Enabled(Level::kDebug));
}

}  // namespace
}  // namespace archivist::log
