// Crash safety: a child process ingests documents and is killed with SIGKILL at an arbitrary
// moment; on reopen every document must be wholly present (all chunks, postings, vectors) or
// wholly absent, and ingestion must carry on from there.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "archive_fixture.h"

namespace archivist::index::testing {
namespace {

constexpr int kChunksPerDoc = 3;

std::string Marker(int doc) { return "zqmarker" + std::to_string(doc) + "x"; }

[[noreturn]] void IngestForever(const std::string& dir) {
  auto embedder = MakeBuiltinEmbedder();
  auto archive = Archive::Open(dir, embedder.get());
  if (!archive.ok()) _exit(2);
  for (int i = 0;; ++i) {
    auto present = (*archive)->Contains("doc" + std::to_string(i));
    if (!present.ok()) _exit(3);
    if (*present) continue;
    DocumentBundle b;
    b.document.doc_id = "doc" + std::to_string(i);
    for (int c = 0; c < kChunksPerDoc; ++c) {
      ChunkRecord chunk;
      chunk.first_page = chunk.last_page = c + 1;
      chunk.text = Marker(i) + " chunk " + std::to_string(c) + " of a crash test document";
      b.chunks.push_back(chunk);
      b.pages.push_back({c + 1, chunk.text, "text_layer"});
    }
    if (!(*archive)->AddDocument(std::move(b)).ok()) _exit(4);
  }
}

constexpr const char* kChildEnv = "ARCHIVIST_INDEX_CRASH_CHILD_DIR";
constexpr const char* kTestName = "ArchiveTest.SigkillDuringIngestLeavesWholeDocumentsOnly";

// The child is this test binary re-executed (a forked copy of a process that already ran RocksDB
// would inherit its background-thread bookkeeping without the threads).
pid_t SpawnChild(const std::string& dir) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  std::string filter = std::string("--gtest_filter=") + kTestName;
  std::string env = std::string(kChildEnv) + "=" + dir;
  char* argv[] = {const_cast<char*>("archivist_index_tests"), filter.data(), nullptr};
  char* envp[] = {env.data(), nullptr};
  execve("/proc/self/exe", argv, envp);
  _exit(5);
}

TEST_F(ArchiveTest, SigkillDuringIngestLeavesWholeDocumentsOnly) {
  if (const char* child_dir = std::getenv(kChildEnv)) IngestForever(child_dir);
  std::mt19937 rng(12345);
  int previous = 0;
  for (int round = 0; round < 3; ++round) {
    pid_t pid = SpawnChild(dir_);
    ASSERT_GE(pid, 0);
    // Kill after a varying delay; where the kill lands is what varies, nothing asserts on time.
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 700));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with status " << WEXITSTATUS(status);

    Archive& a = Open();
    auto docs = a.ListDocuments();
    ASSERT_TRUE(docs.ok());
    const int n = static_cast<int>(docs->size());
    EXPECT_GE(n, previous);
    std::printf("round %d: %d documents committed before the kill\n", round, n);
    previous = n;
    auto stats = a.Stats();
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->documents, static_cast<uint64_t>(n));
    EXPECT_EQ(stats->chunks, static_cast<uint64_t>(n * kChunksPerDoc));
    EXPECT_EQ(stats->pages, static_cast<uint64_t>(n * kChunksPerDoc));
    EXPECT_EQ(stats->vectors, static_cast<uint64_t>(n * kChunksPerDoc));
    // Documents are committed in order, so exactly doc0..doc(n-1) exist, each complete.
    for (int i = 0; i < n; ++i) {
      auto chunks = a.GetChunks("doc" + std::to_string(i));
      ASSERT_TRUE(chunks.ok()) << "doc" << i << ": " << chunks.status().ToString();
      EXPECT_EQ(chunks->size(), static_cast<size_t>(kChunksPerDoc));
      SearchOptions o;
      o.mode = SearchMode::kLexical;
      auto hits = a.Search(Marker(i), o);
      ASSERT_TRUE(hits.ok());
      EXPECT_EQ(hits->size(), static_cast<size_t>(kChunksPerDoc)) << "doc" << i;
    }
    EXPECT_FALSE(*a.Contains("doc" + std::to_string(n)));
    SearchOptions o;
    o.mode = SearchMode::kLexical;
    // Search caps k at 10,000; a fast machine commits more chunks than that before the kill.
    o.k = std::min(n * kChunksPerDoc, 10000);
    EXPECT_EQ(a.Search("crash", o)->size(), static_cast<size_t>(o.k));
    Close();
  }
  EXPECT_GT(previous, 0) << "the child never committed a document";
}

}  // namespace
}  // namespace archivist::index::testing
