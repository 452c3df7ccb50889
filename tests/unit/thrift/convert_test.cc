#include "convert.h"

#include <gtest/gtest.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <memory>

namespace archivist::service {
namespace {

// Serializes and parses back, as the wire does, so the test covers field ids too.
template <typename T>
T ThroughTheWire(const T& value) {
  auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>();
  apache::thrift::protocol::TBinaryProtocol protocol(buffer);
  value.write(&protocol);
  T back;
  back.read(&protocol);
  return back;
}

index::SearchHit SampleHit() {
  index::SearchHit hit;
  hit.chunk_id = 1234567890123ull;
  hit.doc_id = std::string(64, 'e');
  hit.title = "Discharge summary";
  hit.source_path = "/scans/2024/discharge.pdf";
  hit.collection = "clinic";
  hit.page = 2;
  hit.last_page = 3;
  hit.score = 0.03125;
  hit.lexical_rank = 1;
  hit.dense_rank = 4;
  hit.snippet = "started on [[warfarin]] 5 mg";
  hit.text = "Patient was started on warfarin 5 mg daily.";
  return hit;
}

TEST(ConvertTest, SearchHitRoundTripsEveryField) {
  const index::SearchHit hit = SampleHit();
  const index::SearchHit back = FromThriftHit(ThroughTheWire(ToThriftHit(hit, true)));
  EXPECT_EQ(back.chunk_id, hit.chunk_id);
  EXPECT_EQ(back.doc_id, hit.doc_id);
  EXPECT_EQ(back.title, hit.title);
  EXPECT_EQ(back.source_path, hit.source_path);
  EXPECT_EQ(back.collection, hit.collection);
  EXPECT_EQ(back.page, hit.page);
  EXPECT_EQ(back.last_page, hit.last_page);
  EXPECT_DOUBLE_EQ(back.score, hit.score);
  EXPECT_EQ(back.lexical_rank, hit.lexical_rank);
  EXPECT_EQ(back.dense_rank, hit.dense_rank);
  EXPECT_EQ(back.snippet, hit.snippet);
  EXPECT_EQ(back.text, hit.text);
}

TEST(ConvertTest, ChunkTextIsSentOnlyWhenAskedFor) {
  const thrift_gen::SearchHit wire = ThroughTheWire(ToThriftHit(SampleHit(), false));
  EXPECT_FALSE(wire.__isset.text);
  EXPECT_TRUE(FromThriftHit(wire).text.empty());
  EXPECT_EQ(FromThriftHit(wire).snippet, SampleHit().snippet);
}

TEST(ConvertTest, AnswerRoundTripsWithCitations) {
  pipeline::Answer answer;
  answer.text = "She was on warfarin [1].";
  answer.sentences = {"Patient was started on warfarin 5 mg daily."};
  answer.extractive = true;
  answer.found = true;
  pipeline::Citation c;
  c.key = 1;
  c.doc_id = std::string(64, 'a');
  c.title = "Discharge summary";
  c.source_path = "/scans/d.pdf";
  c.page = 2;
  c.begin = 17;
  c.end = 61;
  c.chunk_id = 9;
  answer.citations.push_back(c);

  const pipeline::Answer back = FromThriftAnswer(ThroughTheWire(ToThriftAnswer(answer)));
  EXPECT_EQ(back.text, answer.text);
  EXPECT_EQ(back.sentences, answer.sentences);
  EXPECT_TRUE(back.extractive);
  EXPECT_TRUE(back.found);
  ASSERT_EQ(back.citations.size(), 1u);
  EXPECT_EQ(back.citations[0].key, 1);
  EXPECT_EQ(back.citations[0].doc_id, c.doc_id);
  EXPECT_EQ(back.citations[0].title, c.title);
  EXPECT_EQ(back.citations[0].source_path, c.source_path);
  EXPECT_EQ(back.citations[0].page, 2);
  EXPECT_EQ(back.citations[0].begin, 17u);
  EXPECT_EQ(back.citations[0].end, 61u);
  EXPECT_EQ(back.citations[0].chunk_id, 9u);
}

TEST(ConvertTest, DocumentRoundTrips) {
  index::DocumentRecord record;
  record.doc_id = std::string(64, 'b');
  record.source_path = "/in/contract.pdf";
  record.media_type = "application/pdf";
  record.title = "Master services agreement";
  record.author = "Legal";
  record.subject = "MSA";
  record.created = "2024-01-02T03:04:05Z";
  record.modified = "2024-02-03T04:05:06Z";
  record.collection = "legal";
  record.tags = {"contract", "2024"};
  record.page_count = 12;
  record.chunk_count = 30;
  record.ingested_at = 1'790'000'000;
  record.size_bytes = 5'000'000'000ull;  // above 32 bits on purpose

  const index::DocumentRecord back = FromThriftDocument(ThroughTheWire(ToThriftDocument(record)));
  EXPECT_EQ(back.doc_id, record.doc_id);
  EXPECT_EQ(back.source_path, record.source_path);
  EXPECT_EQ(back.media_type, record.media_type);
  EXPECT_EQ(back.title, record.title);
  EXPECT_EQ(back.author, record.author);
  EXPECT_EQ(back.subject, record.subject);
  EXPECT_EQ(back.created, record.created);
  EXPECT_EQ(back.modified, record.modified);
  EXPECT_EQ(back.collection, record.collection);
  EXPECT_EQ(back.tags, record.tags);
  EXPECT_EQ(back.page_count, record.page_count);
  EXPECT_EQ(back.chunk_count, record.chunk_count);
  EXPECT_EQ(back.ingested_at, record.ingested_at);
  EXPECT_EQ(back.size_bytes, record.size_bytes);
}

TEST(ConvertTest, ChunkRoundTripsWithItsSpans) {
  index::ChunkRecord chunk;
  chunk.chunk_id = 77;
  chunk.doc_id = std::string(64, 'c');
  chunk.ordinal = 3;
  chunk.first_page = 2;
  chunk.last_page = 3;
  chunk.spans = {{2, 100, 480}, {3, 0, 64}};
  chunk.text = "end of page two\n\nstart of page three";
  chunk.token_count = 8;
  chunk.heading_path = "Discharge Summary > Medications";

  const index::ChunkRecord back = FromThriftChunk(ThroughTheWire(ToThriftChunk(chunk)));
  EXPECT_EQ(back.chunk_id, 77u);
  EXPECT_EQ(back.doc_id, chunk.doc_id);
  EXPECT_EQ(back.ordinal, 3);
  EXPECT_EQ(back.first_page, 2);
  EXPECT_EQ(back.last_page, 3);
  ASSERT_EQ(back.spans.size(), 2u);
  EXPECT_EQ(back.spans[1].page, 3);
  EXPECT_EQ(back.spans[0].begin, 100u);
  EXPECT_EQ(back.spans[0].end, 480u);
  EXPECT_EQ(back.text, chunk.text);
  EXPECT_EQ(back.token_count, 8);
  EXPECT_EQ(back.heading_path, chunk.heading_path);
}

TEST(ConvertTest, PageRoundTrips) {
  index::PageRecord page;
  page.number = 4;
  page.text = "scanned text";
  page.source = "ocr";
  page.ocr_confidence = 87.5f;
  const index::PageRecord back = FromThriftPage(ThroughTheWire(ToThriftPage(page)));
  EXPECT_EQ(back.number, 4);
  EXPECT_EQ(back.text, page.text);
  EXPECT_EQ(back.source, "ocr");
  EXPECT_FLOAT_EQ(back.ocr_confidence, 87.5f);
}

TEST(ConvertTest, StatsRoundTrip) {
  index::ArchiveStats stats;
  stats.documents = 3;
  stats.pages = 7;
  stats.chunks = 11;
  stats.terms = 1300;
  stats.postings_bytes = 4096;
  stats.vectors = 11;
  stats.vector_dimension = 256;
  stats.embedder = "builtin-hash-v1/256";
  stats.collections = {{"clinic", 2}, {"legal", 1}};
  stats.disk_bytes = 1 << 20;

  const index::ArchiveStats back = FromThriftStats(ThroughTheWire(ToThriftStats(stats)));
  EXPECT_EQ(back.documents, 3u);
  EXPECT_EQ(back.pages, 7u);
  EXPECT_EQ(back.chunks, 11u);
  EXPECT_EQ(back.terms, 1300u);
  EXPECT_EQ(back.postings_bytes, 4096u);
  EXPECT_EQ(back.vectors, 11u);
  EXPECT_EQ(back.vector_dimension, 256);
  EXPECT_EQ(back.embedder, stats.embedder);
  EXPECT_EQ(back.collections, stats.collections);
  EXPECT_EQ(back.disk_bytes, stats.disk_bytes);
}

TEST(ConvertTest, ClientRequestsPassTheServersChecks) {
  index::SearchOptions options;
  options.k = 40;
  options.candidates = 20;  // shallower than k: sent as k so the server does not refuse it
  options.mode = index::SearchMode::kDense;
  options.collection = "clinic";
  const thrift_gen::SearchRequest request = ToSearchRequest("warfarin", options);
  EXPECT_EQ(request.query, "warfarin");
  EXPECT_EQ(request.k, 40);
  EXPECT_EQ(request.candidates, 40);
  EXPECT_EQ(request.mode, thrift_gen::SearchMode::DENSE);
  EXPECT_EQ(request.collection, "clinic");

  pipeline::AskOptions ask;
  ask.max_sentences = 5;
  ask.retrieve_k = 12;
  ask.min_support = 0.5;
  const thrift_gen::AskRequest ask_request = ToAskRequest("why?", ask);
  EXPECT_EQ(ask_request.max_sentences, 5);
  EXPECT_EQ(ask_request.retrieve_k, 12);
  EXPECT_DOUBLE_EQ(ask_request.min_support, 0.5);
  EXPECT_FALSE(ask_request.__isset.collection);
}

}  // namespace
}  // namespace archivist::service
