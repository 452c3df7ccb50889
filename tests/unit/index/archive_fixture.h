#pragma once
// Shared fixture: a fresh data directory per test, removed afterwards, and small bundle builders.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "archivist/base/file_util.h"
#include "archivist/index/archive.h"
#include "archivist/index/embedder.h"

namespace archivist::index::testing {

class ArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = (std::filesystem::temp_directory_path() /
            ("archivist-index-test-" + std::to_string(rd()) + "-" + std::to_string(rd())))
               .string();
    embedder_ = MakeBuiltinEmbedder();
  }
  void TearDown() override {
    archive_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  Archive& Open(const ArchiveOptions& options = {}) {
    archive_.reset();
    auto r = Archive::Open(dir_, embedder_.get(), options);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    archive_ = std::move(r).value();
    return *archive_;
  }
  void Close() { archive_.reset(); }

  // One chunk per paragraph, one page per chunk: easy to reason about in assertions.
  static DocumentBundle MakeDoc(const std::string& id, const std::vector<std::string>& paragraphs,
                                const std::string& collection = "default") {
    DocumentBundle b;
    b.document.doc_id = id;
    b.document.title = "Doc " + id;
    b.document.source_path = "/data/" + id + ".pdf";
    b.document.media_type = "application/pdf";
    b.document.collection = collection;
    int page = 1;
    for (const auto& p : paragraphs) {
      PageRecord pr;
      pr.number = page;
      pr.text = p;
      pr.source = "text_layer";
      b.pages.push_back(pr);
      ChunkRecord c;
      c.first_page = c.last_page = page;
      c.spans.push_back({page, 0, static_cast<uint32_t>(p.size())});
      c.text = p;
      c.token_count = static_cast<int>(p.size() / 5);
      b.chunks.push_back(c);
      ++page;
    }
    return b;
  }

  std::vector<SearchHit> Find(const std::string& query, SearchMode mode = SearchMode::kLexical,
                              const std::string& collection = "") {
    SearchOptions o;
    o.mode = mode;
    o.collection = collection;
    auto r = archive_->Search(query, o);
    EXPECT_TRUE(r.ok()) << query << ": " << r.status().ToString();
    return r.ok() ? *r : std::vector<SearchHit>{};
  }

  std::string dir_;
  std::unique_ptr<Embedder> embedder_;
  std::unique_ptr<Archive> archive_;
};

}  // namespace archivist::index::testing
