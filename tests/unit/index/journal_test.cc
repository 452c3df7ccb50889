#include <gtest/gtest.h>

#include "archive_fixture.h"

namespace archivist::index::testing {
namespace {

TEST_F(ArchiveTest, JournalEntriesPersistScanByPrefixAndLeaveCountersAlone) {
  Archive& a = Open();
  ASSERT_TRUE(a.AddDocument(MakeDoc("doc1", {"warfarin was stopped"})).ok());
  ASSERT_TRUE(a.PutJournal("failure//in/b.pdf", "{\"code\":\"corruption\"}").ok());
  ASSERT_TRUE(a.PutJournal("failure//in/a.pdf", "{\"code\":\"unsupported\"}").ok());
  ASSERT_TRUE(a.PutJournal("other/x", "1234").ok());  // numeric, like a counter
  EXPECT_EQ(a.PutJournal("", "x").code(), StatusCode::kInvalidArgument);
  Close();

  Archive& b = Open();
  auto failures = b.ScanJournal("failure/");
  ASSERT_TRUE(failures.ok());
  ASSERT_EQ(failures->size(), 2u);
  EXPECT_EQ((*failures)[0].first, "failure//in/a.pdf");
  EXPECT_EQ((*failures)[1].second, "{\"code\":\"corruption\"}");
  auto stats = b.Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->documents, 1u) << "journal values never read as counters";
  ASSERT_TRUE(b.DeleteJournal("failure//in/a.pdf").ok());
  EXPECT_EQ(b.ScanJournal("failure/")->size(), 1u);
  EXPECT_EQ(b.ScanJournal("nothing/")->size(), 0u);
  Close();

  ArchiveOptions ro;
  ro.read_only = true;
  Archive& c = Open(ro);
  EXPECT_EQ(c.ScanJournal("failure/")->size(), 1u);
  EXPECT_EQ(c.PutJournal("failure/z", "{}").code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace archivist::index::testing
