// ChunkPages(): exact provenance, size limits, headings, overlap, chunks across pages.

#include "archivist/ingest/chunker.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace archivist::ingest {
namespace {

Page MakePage(int number, std::string text) {
  Page page;
  page.number = number;
  page.text = std::move(text);
  return page;
}

// "wN" words, sentences of `per_sentence` words, paragraphs of `per_paragraph` sentences.
std::string Prose(int first_word, int paragraphs, int per_paragraph, int per_sentence) {
  std::ostringstream out;
  int word = first_word;
  for (int p = 0; p < paragraphs; ++p) {
    if (p > 0) out << "\n\n";
    for (int s = 0; s < per_paragraph; ++s) {
      if (s > 0) out << (s % 3 == 0 ? "\n" : " ");
      for (int w = 0; w < per_sentence; ++w) out << (w > 0 ? " " : "") << "w" << word++;
      out << ".";
    }
  }
  return out.str();
}

int Words(const std::string& text) {
  std::istringstream in(text);
  std::string w;
  int n = 0;
  while (in >> w) ++n;
  return n;
}

std::vector<std::string> WordList(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

// Every chunk's text is its spans' page text joined by "\n\n", and every non-blank byte of every
// page is inside some span.
void ExpectExactProvenance(const std::vector<Page>& pages, const std::vector<TextChunk>& chunks) {
  std::vector<std::vector<bool>> covered;
  for (const Page& page : pages) covered.emplace_back(page.text.size(), false);
  for (const TextChunk& chunk : chunks) {
    ASSERT_FALSE(chunk.spans.empty());
    std::string rebuilt;
    for (const PageSpan& span : chunk.spans) {
      ASSERT_GE(span.page, 1);
      ASSERT_LE(span.page, static_cast<int>(pages.size()));
      const std::string& text = pages[span.page - 1].text;
      ASSERT_LE(span.begin, span.end);
      ASSERT_LE(span.end, text.size());
      if (!rebuilt.empty()) rebuilt += "\n\n";
      rebuilt += text.substr(span.begin, span.end - span.begin);
      for (uint32_t i = span.begin; i < span.end; ++i) covered[span.page - 1][i] = true;
    }
    EXPECT_EQ(chunk.text, rebuilt);
    EXPECT_EQ(chunk.first_page, chunk.spans.front().page);
    EXPECT_EQ(chunk.last_page, chunk.spans.back().page);
    EXPECT_EQ(chunk.token_count, Words(chunk.text));
  }
  for (size_t p = 0; p < pages.size(); ++p) {
    for (size_t i = 0; i < pages[p].text.size(); ++i) {
      if (!std::isspace(static_cast<unsigned char>(pages[p].text[i]))) {
        ASSERT_TRUE(covered[p][i]) << "page " << p + 1 << " byte " << i << " is in no chunk";
      }
    }
  }
}

ChunkOptions Small() {
  ChunkOptions options;
  options.target_tokens = 50;
  options.max_tokens = 80;
  options.overlap_tokens = 10;
  return options;
}

TEST(ChunkerTest, SpansMapBackExactlyAndSizesAreRespected) {
  std::vector<Page> pages = {MakePage(1, Prose(0, 12, 2, 9)), MakePage(2, Prose(1000, 9, 3, 7))};
  const auto chunks = ChunkPages(pages, Small());
  ASSERT_GT(chunks.size(), 5u);
  ExpectExactProvenance(pages, chunks);
  for (const TextChunk& chunk : chunks) {
    EXPECT_LE(chunk.token_count, 80) << chunk.text;
    EXPECT_GE(chunk.token_count, 15) << chunk.text;  // packing, not one paragraph per chunk
  }
}

TEST(ChunkerTest, LongParagraphSplitsAtSentencesThenWords) {
  // One 240-word paragraph of 12-word sentences, then one 200-word run without any full stop.
  std::string sentences = Prose(0, 1, 20, 12);
  std::string run;
  for (int i = 0; i < 200; ++i) run += (i ? " x" : "x") + std::to_string(i);
  std::vector<Page> pages = {MakePage(1, sentences + "\n\n" + run)};
  ChunkOptions options = Small();
  options.overlap_tokens = 0;
  const auto chunks = ChunkPages(pages, options);
  ExpectExactProvenance(pages, chunks);
  for (const TextChunk& chunk : chunks) {
    EXPECT_LE(chunk.token_count, options.max_tokens);
    if (chunk.text[0] == 'w') {
      EXPECT_EQ(chunk.text.back(), '.') << "sentence pieces end at a sentence: " << chunk.text;
    }
  }
  EXPECT_GE(chunks.size(), 240u / 50 + 200u / 80);
}

TEST(ChunkerTest, ConsecutiveChunksOverlap) {
  std::vector<Page> pages = {MakePage(1, Prose(0, 20, 2, 10))};
  const ChunkOptions options = Small();
  const auto chunks = ChunkPages(pages, options);
  ASSERT_GT(chunks.size(), 2u);
  ExpectExactProvenance(pages, chunks);
  for (size_t i = 1; i < chunks.size(); ++i) {
    const auto prev = WordList(chunks[i - 1].text);
    const auto next = WordList(chunks[i].text);
    ASSERT_GE(next.size(), 10u);
    const std::vector<std::string> tail(prev.end() - 10, prev.end());
    const std::vector<std::string> head(next.begin(), next.begin() + 10);
    EXPECT_EQ(head, tail) << "chunk " << i << " does not start with the previous chunk's tail";
  }
}

TEST(ChunkerTest, MarkdownHeadingsBuildThePath) {
  std::vector<Page> pages = {
      MakePage(1,
               "# Discharge Summary\n\nPatient admitted for observation.\n\n## Medications\n\n"
               "- aspirin 81 mg daily\n- warfarin 5 mg\n\n## Allergies\n\nNone known.\n\n"
               "# Follow Up\n\nReturn in two weeks.")};
  ChunkOptions options;
  options.target_tokens = 8;
  options.max_tokens = 12;
  options.overlap_tokens = 2;
  const auto chunks = ChunkPages(pages, options);
  ExpectExactProvenance(pages, chunks);
  auto path_of = [&](const std::string& needle) {
    for (const TextChunk& chunk : chunks) {
      if (chunk.text.find(needle) != std::string::npos) return chunk.heading_path;
    }
    return std::string("<not found>");
  };
  EXPECT_EQ(path_of("observation"), "Discharge Summary");
  EXPECT_EQ(path_of("warfarin"), "Discharge Summary > Medications");
  EXPECT_EQ(path_of("None known"), "Discharge Summary > Allergies");
  EXPECT_EQ(path_of("two weeks"), "Follow Up");
  // A heading starts its chunk, so no chunk carries text from before its heading.
  for (const TextChunk& chunk : chunks) {
    if (chunk.text.find("## Allergies") != std::string::npos) {
      EXPECT_EQ(chunk.text.rfind("## Allergies", 0), 0u) << chunk.text;
    }
  }
}

TEST(ChunkerTest, PlainTextHeadingsAreInferred) {
  std::vector<Page> pages = {
      MakePage(1,
               "DISCHARGE SUMMARY\n\nThe patient was seen on the ward and is stable today.\n\n"
               "Medications:\nAspirin 81 mg daily, taken with food.\n\nHospital Course\n"
               "Uneventful stay with gradual improvement over the week.")};
  ChunkOptions options;
  options.target_tokens = 12;
  options.max_tokens = 20;
  options.overlap_tokens = 0;
  const auto chunks = ChunkPages(pages, options);
  ExpectExactProvenance(pages, chunks);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].heading_path, "DISCHARGE SUMMARY");
  EXPECT_EQ(chunks[1].heading_path, "DISCHARGE SUMMARY > Medications");
  EXPECT_EQ(chunks[2].heading_path, "DISCHARGE SUMMARY > Hospital Course");
  EXPECT_EQ(chunks[1].text, "Medications:\nAspirin 81 mg daily, taken with food.");
}

TEST(ChunkerTest, ChunkSpansPages) {
  std::vector<Page> pages = {MakePage(1, "First page ends mid thought"),
                             MakePage(2, "and the second page finishes it.")};
  ChunkOptions options;  // defaults: everything fits in one chunk
  const auto chunks = ChunkPages(pages, options);
  ASSERT_EQ(chunks.size(), 1u);
  ExpectExactProvenance(pages, chunks);
  EXPECT_EQ(chunks[0].first_page, 1);
  EXPECT_EQ(chunks[0].last_page, 2);
  ASSERT_EQ(chunks[0].spans.size(), 2u);
  EXPECT_EQ(chunks[0].text, "First page ends mid thought\n\nand the second page finishes it.");
}

TEST(ChunkerTest, OffsetsSurviveLeadingWhitespaceAndMultibyteText) {
  std::vector<Page> pages = {MakePage(7, "  \n\n  Café crème brûlée  \n\n")};
  const auto chunks = ChunkPages(pages, ChunkOptions());
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].spans[0].page, 7);
  EXPECT_EQ(chunks[0].text, "Café crème brûlée");
  EXPECT_EQ(chunks[0].spans[0].begin, 6u);
}

TEST(ChunkerTest, EmptyPagesGiveNoChunks) {
  EXPECT_TRUE(ChunkPages({MakePage(1, ""), MakePage(2, " \n\n ")}, ChunkOptions()).empty());
  EXPECT_TRUE(ChunkPages({}, ChunkOptions()).empty());
}

TEST(ChunkerTest, OptionsValidate) {
  EXPECT_TRUE(ChunkOptions().Validate().ok());
  ChunkOptions bad;
  bad.max_tokens = 10;
  EXPECT_FALSE(bad.Validate().ok());
  bad = ChunkOptions();
  bad.overlap_tokens = bad.target_tokens;
  EXPECT_FALSE(bad.Validate().ok());
}

}  // namespace
}  // namespace archivist::ingest
