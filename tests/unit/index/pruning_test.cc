// Folded block postings and MaxScore pruning answer exactly what exhaustive scoring over the
// per-chunk entries answers: same chunks, same order, bit-identical scores, on random collections
// with deletes, re-ingests, reopens and a writer killed before its fold.

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "archivist/index/archive.h"

namespace archivist::index {
namespace {

namespace fs = std::filesystem;

class PruningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    root_ = fs::temp_directory_path() /
            ("archivist-pruning-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(root_);
    for (int w = 0; w < 160; ++w) {
      std::string word;
      for (int x = w + 26; x > 0; x /= 26) word.push_back(static_cast<char>('a' + x % 26));
      vocab_.push_back("q" + word);
    }
  }
  void TearDown() override {
    folded_.reset();
    raw_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  std::string Folded() const { return (root_ / "folded").string(); }

  std::unique_ptr<Archive> OpenArchive(const std::string& dir, uint64_t fold_chunks) {
    ArchiveOptions o;
    o.fold_chunks = fold_chunks;
    auto r = Archive::Open(dir, nullptr, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : nullptr;
  }

  // Zipf-distributed words, so some terms span many blocks and most are rare.
  std::string Text(size_t words) {
    std::string t;
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (size_t i = 0; i < words; ++i) {
      // Inverse of a harmonic CDF, approximately: rank ~ exp(u * ln(V)).
      size_t rank = static_cast<size_t>(std::exp(u(rng_) * std::log(static_cast<double>(vocab_.size())))) - 1;
      if (!t.empty()) t.push_back(' ');
      t += vocab_[std::min(rank, vocab_.size() - 1)];
    }
    return t;
  }

  DocumentBundle Doc(const std::string& id) {
    DocumentBundle b;
    b.document.doc_id = id;
    b.document.title = id;
    b.document.media_type = "text/plain";
    b.document.collection = (rng_() % 3 == 0) ? "odd" : "even";
    const int chunks = 1 + static_cast<int>(rng_() % 3);
    for (int i = 0; i < chunks; ++i) {
      ChunkRecord c;
      c.first_page = c.last_page = 1;
      c.text = Text(3 + rng_() % 40);
      c.spans.push_back({1, 0, static_cast<uint32_t>(c.text.size())});
      b.chunks.push_back(std::move(c));
    }
    PageRecord p;
    p.number = 1;
    p.text = b.chunks[0].text;
    b.pages.push_back(p);
    return b;
  }

  // The same operation on both archives.
  void Add(const DocumentBundle& d) {
    ASSERT_TRUE(folded_->AddDocument(d).ok());
    ASSERT_TRUE(raw_->AddDocument(d).ok());
    live_.push_back(d.document.doc_id);
  }
  void DeleteRandom() {
    if (live_.empty()) return;
    const size_t i = rng_() % live_.size();
    ASSERT_TRUE(folded_->DeleteDocument(live_[i]).ok());
    ASSERT_TRUE(raw_->DeleteDocument(live_[i]).ok());
    deleted_.push_back(live_[i]);
    live_.erase(live_.begin() + static_cast<std::ptrdiff_t>(i));
  }
  void Ops(int n) {
    for (int i = 0; i < n; ++i) {
      const uint32_t r = rng_() % 20;
      if (r < 2) {
        DeleteRandom();
      } else if (r == 2 && !deleted_.empty()) {
        const std::string id = deleted_.back();  // re-ingested with new text
        deleted_.pop_back();
        Add(Doc(id));
      } else {
        Add(Doc("d" + std::to_string(next_id_++)));
      }
    }
  }

  std::string Query() {
    auto word = [&] { return vocab_[rng_() % 60]; };
    std::string q = word();
    const int extra = static_cast<int>(rng_() % 4);
    for (int i = 0; i < extra; ++i) q += " " + word();
    switch (rng_() % 8) {
      case 0: q += " -" + word(); break;
      case 1: q += " " + word().substr(0, 3) + "*"; break;
      case 2: q += " collection:odd"; break;
      case 3: q += " \"" + word() + " " + word() + "\""; break;
      case 4: q += " +" + word(); break;
      case 5: q += " -\"" + word() + " " + word() + "\""; break;
      default: break;
    }
    return q;
  }

  // Pruned search on the folded archive against exhaustive scoring on the unfolded one.
  void Compare(int queries) {
    for (int i = 0; i < queries; ++i) {
      const std::string q = Query();
      for (int k : {1, 7, 40}) {
        SCOPED_TRACE(q + " k=" + std::to_string(k));
        SearchOptions o;
        o.mode = SearchMode::kLexical;
        o.fetch_chunks = false;
        o.k = o.candidates = k;
        auto got = folded_->Search(q, o);
        o.exhaustive_lexical = true;
        auto want = raw_->Search(q, o);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        ASSERT_TRUE(want.ok()) << want.status().ToString();
        ASSERT_EQ(got->size(), want->size());
        for (size_t h = 0; h < got->size(); ++h) {
          EXPECT_EQ((*got)[h].chunk_id, (*want)[h].chunk_id) << "rank " << h;
          EXPECT_EQ((*got)[h].score, (*want)[h].score) << "rank " << h;
        }
        nonempty_ += !got->empty();
      }
    }
  }

  fs::path root_;
  std::mt19937_64 rng_{20261127};
  std::vector<std::string> vocab_;
  std::vector<std::string> live_, deleted_;
  int next_id_ = 0;
  int nonempty_ = 0;
  std::unique_ptr<Archive> folded_, raw_;
};

TEST_F(PruningTest, SameTopKAsExhaustiveScoringThroughFoldsDeletesAndReopens) {
  folded_ = OpenArchive(Folded(), 7);  // folds every few documents
  raw_ = OpenArchive((root_ / "raw").string(), 1u << 30);  // never folds while open
  ASSERT_TRUE(folded_ && raw_);
  Ops(150);
  Compare(60);

  // Reopen: the chunks deleted after their fold are known again from the document table.
  folded_.reset();
  folded_ = OpenArchive(Folded(), 7);
  ASSERT_TRUE(folded_);
  Compare(30);
  Ops(120);
  Compare(60);

  // A writer killed before folding: the next process folds those chunks from their stored text.
  folded_.reset();
  std::vector<DocumentBundle> late;
  for (int i = 0; i < 20; ++i) late.push_back(Doc("late" + std::to_string(i)));
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ArchiveOptions o;
    o.fold_chunks = 1u << 30;
    auto a = Archive::Open(Folded(), nullptr, o);
    if (!a.ok()) ::_exit(1);
    for (const auto& d : late)
      if (!(*a)->AddDocument(d).ok()) ::_exit(2);
    ::_exit(0);  // no close, so no fold
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  for (const auto& d : late) {
    ASSERT_TRUE(raw_->AddDocument(d).ok());
    live_.push_back(d.document.doc_id);
  }
  folded_ = OpenArchive(Folded(), 7);
  ASSERT_TRUE(folded_);
  Compare(30);  // the killed writer's chunks are still unfolded here
  Ops(60);      // the first fold picks them up
  Compare(60);
  EXPECT_GT(nonempty_, 400);  // the queries do find things
}

}  // namespace
}  // namespace archivist::index
