// Schema upgrades on real RocksDB stores: an old store is refused, upgraded (backup first), rolled
// back, and a process killed at every durable point of an upgrade leaves a store that opens.

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>

#include "archivist/index/archive.h"
#include "archivist/index/embedder.h"
#include "archivist/index/upgrade.h"
#include "schema_v1.h"

namespace archivist::index {
namespace {

namespace fs = std::filesystem;

DocumentBundle Doc(const std::string& id, const std::string& media_type, const std::string& text) {
  DocumentBundle b;
  b.document.doc_id = id;
  b.document.title = id;
  b.document.source_path = "/in/" + id;
  b.document.media_type = media_type;
  b.document.collection = "default";
  PageRecord p;
  p.number = 1;
  p.text = text;
  p.source = "text_layer";
  b.pages.push_back(p);
  ChunkRecord c;
  c.first_page = c.last_page = 1;
  c.spans.push_back({1, 0, static_cast<uint32_t>(text.size())});
  c.text = text;
  c.token_count = 4;
  b.chunks.push_back(c);
  return b;
}

class UpgradeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    root_ = fs::temp_directory_path() /
            ("archivist-upgrade-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(root_);
    dir_ = (root_ / "data").string();
    embedder_ = MakeBuiltinEmbedder();
    auto a = Archive::Open(dir_, embedder_.get());
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    ASSERT_TRUE((*a)->AddDocument(Doc("a", "application/pdf", "crane maintenance log")).ok());
    ASSERT_TRUE((*a)->AddDocument(Doc("b", "application/pdf", "boiler inspection report")).ok());
    ASSERT_TRUE((*a)->AddDocument(Doc("c", "text/plain", "harbour crane schedule")).ok());
    a->reset();
    testing::MakeSchemaV1(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  Result<std::unique_ptr<Archive>> Open() { return Archive::Open(dir_, embedder_.get()); }

  // The store opens at the current schema and holds the three documents, counted by type.
  void ExpectUpgradedStore() {
    auto a = Open();
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    auto stats = (*a)->Stats();
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->documents, 3u);
    std::map<std::string, uint64_t> types(stats->media_types.begin(), stats->media_types.end());
    EXPECT_EQ(types, (std::map<std::string, uint64_t>{{"application/pdf", 2}, {"text/plain", 1}}));
    SearchOptions o;
    o.mode = SearchMode::kLexical;
    auto hits = (*a)->Search("crane", o);
    ASSERT_TRUE(hits.ok());
    EXPECT_EQ(hits->size(), 2u);
    // Answered from the folded blocks, which must also honour a later delete.
    ASSERT_TRUE((*a)->DeleteDocument("a").ok());
    hits = (*a)->Search("crane", o);
    ASSERT_TRUE(hits.ok());
    ASSERT_EQ(hits->size(), 1u);
    EXPECT_EQ((*hits)[0].doc_id, "c");
  }

  fs::path root_;
  std::string dir_;
  std::unique_ptr<Embedder> embedder_;
};

TEST_F(UpgradeTest, OldSchemaIsRefusedWithAnActionableMessage) {
  EXPECT_EQ(*StoredSchemaVersion(dir_), 1);
  auto a = Open();
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(a.status().message().find("archivist upgrade"), std::string::npos)
      << a.status().message();
  ArchiveOptions ro;
  ro.read_only = true;
  EXPECT_EQ(Archive::Open(dir_, embedder_.get(), ro).status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(StoredSchemaVersion((root_ / "nothing").string()).status().code(),
            StatusCode::kNotFound);
}

TEST_F(UpgradeTest, UpgradeBacksUpMigratesAndIsIdempotent) {
  UpgradeOptions o;
  EXPECT_EQ(UpgradeArchive(dir_, o).status().code(), StatusCode::kInvalidArgument);
  o.backup_dir = (root_ / "backup").string();
  std::vector<std::string> points;
  o.on_point = [&](std::string_view p) { points.emplace_back(p); };
  auto r = UpgradeArchive(dir_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->from_version, 1);
  EXPECT_EQ(r->to_version, SchemaVersion());
  ASSERT_EQ(r->steps.size(), 2u);
  EXPECT_NE(r->steps[0].find("3 documents in 2 media types"), std::string::npos) << r->steps[0];
  // "crane" x2, "mainten", "log", "boiler", "inspect", "report", "harbour", "schedul"
  EXPECT_NE(r->steps[1].find("folded 9 postings of 8 terms"), std::string::npos) << r->steps[1];
  EXPECT_EQ(points, (std::vector<std::string>{"backup-written", "step-1-staged", "step-1-committed",
                                              "step-2-staged", "step-2-committed"}));
  EXPECT_EQ(*StoredSchemaVersion(o.backup_dir), 1);  // the backup is the old store
  ExpectUpgradedStore();

  // Again: nothing to do, and no second backup.
  UpgradeOptions again;
  again.backup_dir = (root_ / "backup2").string();
  auto r2 = UpgradeArchive(dir_, again);
  ASSERT_TRUE(r2.ok());
  EXPECT_TRUE(r2->steps.empty());
  EXPECT_FALSE(fs::exists(again.backup_dir));
}

TEST_F(UpgradeTest, ExistingBackupDirAndBusyArchiveAreRefusedUntouched) {
  UpgradeOptions o;
  o.backup_dir = (root_ / "taken").string();
  fs::create_directories(o.backup_dir);
  EXPECT_EQ(UpgradeArchive(dir_, o).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*StoredSchemaVersion(dir_), 1);

  UpgradeOptions first;
  first.backup_dir = (root_ / "b1").string();
  ASSERT_TRUE(UpgradeArchive(dir_, first).ok());
  auto open = Open();  // a "server" holds the store
  ASSERT_TRUE(open.ok());
  std::string kept;
  EXPECT_EQ(RollbackArchive(dir_, first.backup_dir, &kept).code(), StatusCode::kUnavailable);
}

TEST_F(UpgradeTest, RollbackRestoresTheOldVersionAndKeepsTheUpgradedCopy) {
  UpgradeOptions o;
  o.backup_dir = (root_ / "backup").string();
  ASSERT_TRUE(UpgradeArchive(dir_, o).ok());
  ASSERT_EQ(*StoredSchemaVersion(dir_), SchemaVersion());
  std::string kept;
  ASSERT_TRUE(RollbackArchive(dir_, o.backup_dir, &kept).ok());
  EXPECT_EQ(*StoredSchemaVersion(dir_), 1);
  EXPECT_EQ(*StoredSchemaVersion(kept), SchemaVersion());
  EXPECT_EQ(*StoredSchemaVersion(o.backup_dir), 1);  // the backup itself is reusable
  EXPECT_FALSE(fs::exists(dir_ + ".rollback-tmp"));
  // And forward again from the rolled-back store.
  UpgradeOptions o2;
  o2.backup_dir = (root_ / "backup2").string();
  ASSERT_TRUE(UpgradeArchive(dir_, o2).ok());
  ExpectUpgradedStore();
  EXPECT_EQ(RollbackArchive(dir_, (root_ / "nope").string(), &kept).code(), StatusCode::kNotFound);
}

// A child process runs the upgrade and dies (no destructors, no flush) at one durable point; the
// store must then open at the old or the new version, and a second upgrade must finish the job.
TEST_F(UpgradeTest, CrashAtAnyPointLeavesAUsableStore) {
  const std::vector<std::string> points = {"backup-written", "step-1-staged", "step-1-committed",
                                           "step-2-staged", "step-2-committed"};
  const fs::path pristine = root_ / "pristine";
  fs::copy(dir_, pristine, fs::copy_options::recursive);
  for (const std::string& crash_at : points) {
    SCOPED_TRACE(crash_at);
    fs::remove_all(dir_);
    fs::copy(pristine, dir_, fs::copy_options::recursive);
    const std::string backup = (root_ / ("backup-" + crash_at)).string();
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      UpgradeOptions o;
      o.backup_dir = backup;
      o.on_point = [&](std::string_view p) {
        if (p == crash_at) ::_exit(42);
      };
      (void)UpgradeArchive(dir_, o);
      ::_exit(1);
    }
    int wstatus = 0;
    ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFEXITED(wstatus));
    ASSERT_EQ(WEXITSTATUS(wstatus), 42);
    auto version = StoredSchemaVersion(dir_);
    ASSERT_TRUE(version.ok()) << version.status().ToString();
    if (crash_at == "step-2-committed") {
      EXPECT_EQ(*version, SchemaVersion());
    } else if (crash_at == "step-1-committed" || crash_at == "step-2-staged") {
      EXPECT_EQ(*version, 2);
      EXPECT_EQ(Open().status().code(), StatusCode::kUnsupported);
    } else {
      EXPECT_EQ(*version, 1);  // nothing committed yet: the old store, intact
      auto refused = Open();
      EXPECT_EQ(refused.status().code(), StatusCode::kUnsupported);
    }
    UpgradeOptions finish;
    finish.backup_dir = backup + "-again";
    auto r = UpgradeArchive(dir_, finish);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ExpectUpgradedStore();
  }
}

}  // namespace
}  // namespace archivist::index
