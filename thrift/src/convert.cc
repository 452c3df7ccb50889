#include "convert.h"

#include <cstdint>

namespace archivist::service {
namespace {

// The IDL has only signed integers; counts and ids above INT64_MAX do not occur in practice.
int64_t ToI64(uint64_t value) { return static_cast<int64_t>(value); }
uint64_t ToU64(int64_t value) { return value < 0 ? 0 : static_cast<uint64_t>(value); }

}  // namespace

thrift_gen::SearchHit ToThriftHit(const index::SearchHit& hit, bool include_text) {
  thrift_gen::SearchHit out;
  out.__set_doc_id(hit.doc_id);
  out.__set_title(hit.title);
  out.__set_page(hit.page);
  out.__set_score(hit.score);
  out.__set_snippet(hit.snippet);
  out.__set_chunk_id(ToI64(hit.chunk_id));
  out.__set_source_path(hit.source_path);
  out.__set_lexical_rank(hit.lexical_rank);
  out.__set_dense_rank(hit.dense_rank);
  out.__set_collection(hit.collection);
  out.__set_last_page(hit.last_page);
  if (include_text) out.__set_text(hit.text);
  return out;
}

index::SearchHit FromThriftHit(const thrift_gen::SearchHit& hit) {
  index::SearchHit out;
  out.chunk_id = ToU64(hit.chunk_id);
  out.doc_id = hit.doc_id;
  out.title = hit.title;
  out.source_path = hit.source_path;
  out.collection = hit.collection;
  out.page = hit.page;
  out.last_page = hit.last_page;
  out.score = hit.score;
  out.lexical_rank = hit.lexical_rank;
  out.dense_rank = hit.dense_rank;
  out.snippet = hit.snippet;
  if (hit.__isset.text) out.text = hit.text;
  return out;
}

std::vector<thrift_gen::Citation> ToThriftCitations(
    const std::vector<pipeline::Citation>& citations) {
  std::vector<thrift_gen::Citation> out;
  out.reserve(citations.size());
  for (const pipeline::Citation& c : citations) {
    thrift_gen::Citation t;
    t.__set_key(c.key);
    t.__set_doc_id(c.doc_id);
    t.__set_title(c.title);
    t.__set_page(c.page);
    t.__set_span_begin(static_cast<int32_t>(c.begin));
    t.__set_span_end(static_cast<int32_t>(c.end));
    t.__set_chunk_id(ToI64(c.chunk_id));
    t.__set_source_path(c.source_path);
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<pipeline::Citation> FromThriftCitations(
    const std::vector<thrift_gen::Citation>& citations) {
  std::vector<pipeline::Citation> out;
  for (const thrift_gen::Citation& t : citations) {
    pipeline::Citation c;
    c.key = t.key;
    c.doc_id = t.doc_id;
    c.title = t.title;
    c.source_path = t.source_path;
    c.page = t.page;
    c.begin = t.span_begin < 0 ? 0 : static_cast<uint32_t>(t.span_begin);
    c.end = t.span_end < 0 ? 0 : static_cast<uint32_t>(t.span_end);
    c.chunk_id = ToU64(t.chunk_id);
    out.push_back(std::move(c));
  }
  return out;
}

thrift_gen::AskReply ToThriftAnswer(const pipeline::Answer& answer) {
  thrift_gen::AskReply out;
  out.__set_text(answer.text);
  out.__set_extractive(answer.extractive);
  out.__set_found(answer.found);
  out.__set_sentences(answer.sentences);
  out.__set_citations(ToThriftCitations(answer.citations));
  return out;
}

pipeline::Answer FromThriftAnswer(const thrift_gen::AskReply& reply) {
  pipeline::Answer out;
  out.text = reply.text;
  out.sentences = reply.sentences;
  out.extractive = reply.extractive;
  out.found = reply.found;
  out.citations = FromThriftCitations(reply.citations);
  return out;
}

thrift_gen::DocumentInfo ToThriftDocument(const index::DocumentRecord& record) {
  thrift_gen::DocumentInfo out;
  out.__set_doc_id(record.doc_id);
  out.__set_source_path(record.source_path);
  out.__set_media_type(record.media_type);
  out.__set_title(record.title);
  out.__set_author(record.author);
  out.__set_subject(record.subject);
  out.__set_created(record.created);
  out.__set_modified(record.modified);
  out.__set_collection(record.collection);
  out.__set_tags(record.tags);
  out.__set_page_count(record.page_count);
  out.__set_chunk_count(record.chunk_count);
  out.__set_ingested_at(record.ingested_at);
  out.__set_size_bytes(ToI64(record.size_bytes));
  return out;
}

index::DocumentRecord FromThriftDocument(const thrift_gen::DocumentInfo& info) {
  index::DocumentRecord out;
  out.doc_id = info.doc_id;
  out.source_path = info.source_path;
  out.media_type = info.media_type;
  out.title = info.title;
  out.author = info.author;
  out.subject = info.subject;
  out.created = info.created;
  out.modified = info.modified;
  out.collection = info.collection;
  out.tags = info.tags;
  out.page_count = info.page_count;
  out.chunk_count = info.chunk_count;
  out.ingested_at = info.ingested_at;
  out.size_bytes = ToU64(info.size_bytes);
  return out;
}

thrift_gen::PageInfo ToThriftPage(const index::PageRecord& page) {
  thrift_gen::PageInfo out;
  out.__set_number(page.number);
  out.__set_text(page.text);
  out.__set_source(page.source);
  out.__set_ocr_confidence(page.ocr_confidence);
  return out;
}

index::PageRecord FromThriftPage(const thrift_gen::PageInfo& page) {
  index::PageRecord out;
  out.number = page.number;
  out.text = page.text;
  out.source = page.source;
  out.ocr_confidence = static_cast<float>(page.ocr_confidence);
  return out;
}

thrift_gen::ChunkInfo ToThriftChunk(const index::ChunkRecord& chunk) {
  thrift_gen::ChunkInfo out;
  out.__set_chunk_id(ToI64(chunk.chunk_id));
  out.__set_doc_id(chunk.doc_id);
  out.__set_ordinal(chunk.ordinal);
  out.__set_first_page(chunk.first_page);
  out.__set_last_page(chunk.last_page);
  std::vector<thrift_gen::ChunkSpan> spans;
  spans.reserve(chunk.spans.size());
  for (const index::ChunkSpanRecord& span : chunk.spans) {
    thrift_gen::ChunkSpan t;
    t.__set_page(span.page);
    t.__set_span_begin(static_cast<int32_t>(span.begin));
    t.__set_span_end(static_cast<int32_t>(span.end));
    spans.push_back(t);
  }
  out.__set_spans(std::move(spans));
  out.__set_text(chunk.text);
  out.__set_token_count(chunk.token_count);
  out.__set_heading_path(chunk.heading_path);
  return out;
}

index::ChunkRecord FromThriftChunk(const thrift_gen::ChunkInfo& chunk) {
  index::ChunkRecord out;
  out.chunk_id = ToU64(chunk.chunk_id);
  out.doc_id = chunk.doc_id;
  out.ordinal = chunk.ordinal;
  out.first_page = chunk.first_page;
  out.last_page = chunk.last_page;
  for (const thrift_gen::ChunkSpan& t : chunk.spans) {
    index::ChunkSpanRecord span;
    span.page = t.page;
    span.begin = t.span_begin < 0 ? 0 : static_cast<uint32_t>(t.span_begin);
    span.end = t.span_end < 0 ? 0 : static_cast<uint32_t>(t.span_end);
    out.spans.push_back(span);
  }
  out.text = chunk.text;
  out.token_count = chunk.token_count;
  out.heading_path = chunk.heading_path;
  return out;
}

thrift_gen::StatsReply ToThriftStats(const index::ArchiveStats& stats) {
  thrift_gen::StatsReply out;
  out.__set_documents(ToI64(stats.documents));
  out.__set_pages(ToI64(stats.pages));
  out.__set_chunks(ToI64(stats.chunks));
  out.__set_terms(ToI64(stats.terms));
  out.__set_postings_bytes(ToI64(stats.postings_bytes));
  out.__set_vectors(ToI64(stats.vectors));
  out.__set_vector_dimension(stats.vector_dimension);
  out.__set_embedder(stats.embedder);
  std::vector<thrift_gen::CollectionStats> collections;
  for (const auto& [name, documents] : stats.collections) {
    thrift_gen::CollectionStats c;
    c.__set_name(name);
    c.__set_documents(ToI64(documents));
    collections.push_back(std::move(c));
  }
  out.__set_collections(std::move(collections));
  out.__set_disk_bytes(ToI64(stats.disk_bytes));
  return out;
}

index::ArchiveStats FromThriftStats(const thrift_gen::StatsReply& reply) {
  index::ArchiveStats out;
  out.documents = ToU64(reply.documents);
  out.pages = ToU64(reply.pages);
  out.chunks = ToU64(reply.chunks);
  out.terms = ToU64(reply.terms);
  out.postings_bytes = ToU64(reply.postings_bytes);
  out.vectors = ToU64(reply.vectors);
  out.vector_dimension = reply.vector_dimension;
  out.embedder = reply.embedder;
  for (const thrift_gen::CollectionStats& c : reply.collections) {
    out.collections.emplace_back(c.name, ToU64(c.documents));
  }
  out.disk_bytes = ToU64(reply.disk_bytes);
  return out;
}

thrift_gen::SearchRequest ToSearchRequest(const std::string& query,
                                          const index::SearchOptions& options) {
  thrift_gen::SearchRequest request;
  request.__set_query(query);
  request.__set_k(options.k);
  switch (options.mode) {
    case index::SearchMode::kLexical:
      request.__set_mode(thrift_gen::SearchMode::LEXICAL);
      break;
    case index::SearchMode::kDense:
      request.__set_mode(thrift_gen::SearchMode::DENSE);
      break;
    case index::SearchMode::kHybrid:
      request.__set_mode(thrift_gen::SearchMode::HYBRID);
      break;
  }
  if (!options.collection.empty()) request.__set_collection(options.collection);
  // The server refuses candidates < k; a shallower depth than k can only mean "as deep as k".
  request.__set_candidates(options.candidates < options.k ? options.k : options.candidates);
  return request;
}

thrift_gen::AskRequest ToAskRequest(const std::string& question,
                                    const pipeline::AskOptions& options) {
  thrift_gen::AskRequest request;
  request.__set_question(question);
  if (!options.collection.empty()) request.__set_collection(options.collection);
  request.__set_max_sentences(options.max_sentences);
  request.__set_retrieve_k(options.retrieve_k);
  request.__set_min_support(options.min_support);
  // A client configured with a model asks the server to use its own (the path is not sent).
  if (options.generation.enabled()) {
    request.__set_use_model(true);
    request.__set_max_tokens(options.generation.max_answer_tokens);
    request.__set_temperature(options.generation.temperature);
    request.__set_seed(static_cast<int64_t>(options.generation.seed));
  }
  return request;
}

}  // namespace archivist::service
