// The commit stage groups finished documents into one write only while more are about to arrive,
// never splits a document, and records each file's manifest entry in the same write.

#include "batch_commit.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "archivist/index/archive.h"

namespace archivist::pipeline {
namespace {
namespace fs = std::filesystem;

std::shared_ptr<WorkItem> Ready(const std::string& id, const std::string& text) {
  auto item = std::make_shared<WorkItem>();
  item->result.path = "/in/" + id + ".txt";
  item->result.doc_id = id;
  item->abs_path = item->result.path;
  item->stamp = {text.size(), 1};
  index::DocumentBundle b;
  b.document.doc_id = id;
  b.document.source_path = item->result.path;
  index::ChunkRecord c;
  c.text = text;
  b.chunks.push_back(c);
  item->bundle = std::move(b);
  return item;
}

class BatchCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("archivist_batch_commit_" + std::to_string(getpid()) +
                                             "_" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    embedder_ = index::MakeBuiltinEmbedder();
    archive_ = std::move(index::Archive::Open(dir_.string(), embedder_.get())).value();
  }
  void TearDown() override {
    archive_.reset();
    fs::remove_all(dir_);
  }
  fs::path dir_;
  std::unique_ptr<index::Embedder> embedder_;
  std::unique_ptr<index::Archive> archive_;
};

TEST_F(BatchCommitTest, GroupsWhileMoreAreComingAndWritesOnceWithTheManifest) {
  IngestOptions options;
  options.commit_max_documents = 3;
  BatchCommitter c(*archive_, options);
  c.Add(Ready("aaa", "first memo"));
  EXPECT_FALSE(c.ShouldFlush(/*more_coming=*/true));
  EXPECT_TRUE(c.ShouldFlush(/*more_coming=*/false)) << "never wait for unfinished documents";
  c.Add(Ready("bbb", "second memo"));
  c.Add(Ready("aaa", "first memo"));  // the same bytes under another path in the same write
  EXPECT_TRUE(c.ShouldFlush(true)) << "the document bound is reached";
  auto done = c.Flush();
  ASSERT_EQ(done.size(), 3u);
  EXPECT_EQ(c.writes(), 1);
  EXPECT_EQ(done[0]->result.outcome, Outcome::kIngested);
  EXPECT_EQ(done[1]->result.outcome, Outcome::kIngested);
  EXPECT_EQ(done[2]->result.outcome, Outcome::kDuplicate);
  EXPECT_EQ(archive_->Stats()->documents, 2u);
  auto entry = LookupManifest(*archive_, "/in/bbb.txt");
  ASSERT_TRUE(entry.ok());
  ASSERT_TRUE(entry->has_value());
  EXPECT_EQ((*entry)->doc_id, "bbb");
  EXPECT_EQ((*entry)->stamp.size, std::string("second memo").size());
  EXPECT_FALSE(c.ShouldFlush(false)) << "nothing pending";
}

TEST_F(BatchCommitTest, ABadDocumentFailsAloneAndIsListed) {
  IngestOptions options;
  BatchCommitter c(*archive_, options);
  c.Add(Ready("good", "a good memo"));
  auto bad = Ready("bad", "a memo with a wrong vector");
  bad->bundle->vectors = {{1.0f, 2.0f}};  // wrong dimension: the archive refuses the document
  c.Add(bad);
  c.Add(Ready("also_good", "another good memo"));
  auto done = c.Flush();
  ASSERT_EQ(done.size(), 3u);
  EXPECT_EQ(done[0]->result.outcome, Outcome::kIngested);
  EXPECT_EQ(done[1]->result.outcome, Outcome::kFailed);
  EXPECT_EQ(done[1]->result.stage, "commit");
  EXPECT_EQ(done[2]->result.outcome, Outcome::kIngested);
  EXPECT_EQ(archive_->Stats()->documents, 2u);
  auto failure = archive_->GetJournal("failure//in/bad.txt");
  ASSERT_TRUE(failure.ok());
  EXPECT_TRUE(failure->has_value());
  EXPECT_FALSE(LookupManifest(*archive_, "/in/bad.txt")->has_value());
}

// The writer thread finishes every document exactly once, in commit order, and a document whose
// bytes are in the group being written when it arrives is a duplicate, not a second copy.
TEST_F(BatchCommitTest, TheWriterThreadFinishesEveryDocumentOnceAndCatchesInFlightTwins) {
  IngestOptions options;
  options.commit_max_documents = 4;
  BatchCommitter c(*archive_, options);
  std::atomic<int> coming{0};
  std::map<std::string, int> finished;  // path -> times finished (written by the writer thread)
  std::map<std::string, Outcome> outcome;
  {
    CommitWriter writer(c, coming, [&](WorkItem& item) {
      ++finished[item.result.path];
      outcome[item.result.path] = item.result.outcome;
    });
    for (int i = 0; i < 40; ++i) {
      ++coming;  // as the build stage does before the commit node takes the document
      auto item = Ready("doc" + std::to_string(i % 30), "memo number " + std::to_string(i % 30));
      item->result.path = "/in/copy" + std::to_string(i) + ".txt";
      item->abs_path = item->result.path;
      writer.Add(item);
      --coming;
      writer.Notify();
    }
    writer.Close();
  }
  ASSERT_EQ(finished.size(), 40u);
  int ingested = 0, duplicates = 0;
  for (const auto& [path, times] : finished) {
    EXPECT_EQ(times, 1) << path;
    if (outcome[path] == Outcome::kIngested) ++ingested;
    if (outcome[path] == Outcome::kDuplicate) ++duplicates;
  }
  EXPECT_EQ(ingested, 30);
  EXPECT_EQ(duplicates, 10);
  EXPECT_EQ(archive_->Stats()->documents, 30u);
  EXPECT_GE(c.writes(), 1);
  EXPECT_LE(c.writes(), 40);
  for (int i = 0; i < 40; ++i) {
    auto entry = LookupManifest(*archive_, "/in/copy" + std::to_string(i) + ".txt");
    ASSERT_TRUE(entry.ok());
    ASSERT_TRUE(entry->has_value()) << i;
    EXPECT_EQ((*entry)->doc_id, "doc" + std::to_string(i % 30));
  }
}

}  // namespace
}  // namespace archivist::pipeline
