/*
 * Archivist service API, version 1.
 *
 * The contract between an Archivist server (`archivist serve`) and its clients in any language.
 * Transport: TFramedTransport over TCP; protocol: TBinaryProtocol (strict).
 *
 * Evolution rules (so old clients keep working against new servers and vice versa):
 *  - Field ids are never reused or renumbered; removed fields leave their id retired.
 *  - New fields are optional; servers treat an unset field as its documented default.
 *  - Every call except health() takes a single request struct, so a call gains parameters by
 *    gaining fields, never by changing its signature.
 *  - In every request struct, ids 1-9 are reserved for call-level fields (authentication,
 *    request ids, deadlines). Only `auth_token` (1) exists in v1; servers of v1 accept and
 *    ignore it, servers with authentication enabled require it.
 *  - Ids 10-99 carry the call's own parameters; ids from 100 on are free for extensions.
 *
 * Text is UTF-8 everywhere. Strings that are not valid UTF-8 are refused with INVALID_ARGUMENT.
 * Byte offsets (`span_begin`, `span_end`) index the UTF-8 bytes of a page's text.
 */

namespace cpp archivist.thrift_gen
namespace py archivist
namespace java org.archivist.api
namespace go archivist

/** Version of this IDL; health() reports the version the server implements. */
const string API_VERSION = "1.0"

/** Why a call failed. Clients should branch on the code, never on the message. */
enum ErrorCode {
  /** The request is malformed: empty query, k out of range, invalid UTF-8, bad doc id ... */
  INVALID_ARGUMENT = 1,
  /** The named document (or page, chunk, collection) does not exist. */
  NOT_FOUND = 2,
  /** No credentials, or credentials the server does not recognize (expired, wrong token). */
  UNAUTHENTICATED = 3,
  /** The caller is known but its role or collection rights do not allow this call. */
  PERMISSION_DENIED = 4,
  /** A limit was hit: size of a message or document, concurrent calls, a deadline. */
  RESOURCE_EXHAUSTED = 5,
  /** The server cannot serve right now (starting, stopping, store busy); retrying may help. */
  UNAVAILABLE = 6,
  /** A bug or an unexpected failure inside the server. */
  INTERNAL = 7,
  /** The thing to create exists already. */
  ALREADY_EXISTS = 8,
  /** A valid input the server does not handle, e.g. a file type it cannot extract. */
  UNSUPPORTED = 9,
  /** Supplied or stored data is damaged, e.g. a corrupt PDF. */
  DATA_CORRUPTION = 10,
}

/** The one exception every call may raise. */
exception ArchivistError {
  /** What kind of failure; see ErrorCode. */
  1: ErrorCode code,
  /** A sentence for humans: what failed, where, why. Not stable; do not parse it. */
  2: string message,
}

/** Reply of health(). */
struct HealthReply {
  /** "ok" when the server can serve calls. */
  1: string status,
  /** Archivist release, e.g. "0.1.0". */
  2: string version,
  /** The API_VERSION the server implements. */
  3: string api_version,
  /** Seconds since the server started serving. */
  4: i64 uptime_seconds,
}

/** Which retrieval lists a search uses. */
enum SearchMode {
  /** BM25 over the inverted index only. */
  LEXICAL = 1,
  /** Nearest neighbours of the query embedding only. */
  DENSE = 2,
  /** Reciprocal-rank fusion of the lexical and the dense list. */
  HYBRID = 3,
}

struct SearchRequest {
  /** Bearer token of the caller (reserved; see evolution rules). */
  1: optional string auth_token,
  /** The query: words, ranked by BM25 (and by embedding similarity in DENSE/HYBRID). Required;
      empty or whitespace-only queries are refused with INVALID_ARGUMENT. */
  10: string query,
  /** Number of hits wanted, 1..server limit (1000 by default). Default: 10. */
  11: optional i32 k = 10,
  /** Default: HYBRID. */
  12: optional SearchMode mode = SearchMode.HYBRID,
  /** Only search this collection. Unset or empty: every collection. */
  13: optional string collection,
  /** Candidates taken from each list before fusion, >= k. Unset: the server's default (100). */
  14: optional i32 candidates,
  /** Return each hit's whole chunk text in SearchHit.text. Default: false (snippets only). */
  15: optional bool include_text = false,
  /* 16-39 reserved for filters (tags, media type, date range) and grouping. */
}

/** One retrieved chunk. */
struct SearchHit {
  /** Document id: lower-case hex SHA-256 of the source bytes. */
  1: string doc_id,
  /** Document title, or its file name when it has none. */
  2: string title,
  /** Page (1-based) where the best match lies. */
  3: i32 page,
  /** Relevance; higher is better. Comparable only within one reply. */
  4: double score,
  /** A window of the chunk text, matched terms wrapped in [[ ]]. */
  5: string snippet,
  /** Chunk id; stable for the life of the document. */
  6: i64 chunk_id,
  /** Path of the file the document was ingested from (on the server). */
  7: string source_path,
  /** 1-based rank in the lexical list; 0 when the chunk was not in it. */
  8: i32 lexical_rank,
  /** 1-based rank in the dense list; 0 when the chunk was not in it. */
  9: i32 dense_rank,
  /** Collection of the document. */
  10: string collection,
  /** Last page the chunk spans (== page for a one-page chunk). */
  11: i32 last_page,
  /** Whole chunk text; set only when SearchRequest.include_text. */
  12: optional string text,
}

struct SearchReply {
  /** Best first; at most k. */
  1: list<SearchHit> hits,
}

struct IngestRequest {
  /** Bearer token of the caller (reserved; see evolution rules). */
  1: optional string auth_token,
  /** The file's bytes (PDF, TIFF, PNG, JPEG, UTF-8 text or Markdown; the type is detected
      from the bytes). Required, at most the server's frame limit (64 MiB by default). */
  10: binary content,
  /** File name without directories, used as title when the document has none, e.g.
      "discharge_2024-03-02.pdf". Names with '/', '\', NUL or ".." are refused. Unset or
      empty: "upload". */
  11: optional string file_name,
  /** Collection to file the document under. Unset or empty: the server's default ("default"). */
  12: optional string collection,
  /** User tags stored with the document. Default: none. */
  13: optional list<string> tags,
}

/** What happened to an ingested document. */
enum IngestOutcome {
  /** Extracted, chunked, embedded and committed. */
  INGESTED = 1,
  /** A document with the same bytes is stored already; nothing was changed. */
  DUPLICATE = 2,
}

struct IngestReply {
  /** Id of the (new or existing) document. */
  1: string doc_id,
  2: IngestOutcome outcome,
  /** Pages extracted (0 for DUPLICATE). */
  3: i32 pages,
  /** Chunks committed (0 for DUPLICATE). */
  4: i32 chunks,
  /** Pages whose text came from OCR. */
  5: i32 ocr_pages,
  /** Detected type, e.g. "application/pdf". */
  6: string media_type,
}

struct AskRequest {
  /** Bearer token of the caller (reserved; see evolution rules). */
  1: optional string auth_token,
  /** The question in natural language. Required. */
  10: string question,
  /** Only answer from this collection. Unset or empty: every collection. */
  11: optional string collection,
  /** Most sentences in an extractive answer, 1..20. Default: 3. */
  12: optional i32 max_sentences = 3,
  /** Chunks retrieved to answer from, 1..100. Default: 8. */
  13: optional i32 retrieve_k = 8,
  /** Minimum share (0..1) of the question's idf-weighted terms a sentence must cover to be
      used. Default: 0.2. */
  14: optional double min_support = 0.2,
  /* 15-39 reserved for generation options (model, temperature, max tokens, seed). */
}

/** Where a statement of an answer comes from. */
struct Citation {
  /** The n of the [n] marker in AskReply.text, 1-based. */
  1: i32 key,
  2: string doc_id,
  3: string title,
  /** Page (1-based) holding the cited sentence. */
  4: i32 page,
  /** UTF-8 byte span [span_begin, span_end) of the cited sentence in that page's text. */
  5: i32 span_begin,
  6: i32 span_end,
  7: i64 chunk_id,
  8: string source_path,
}

struct AskReply {
  /** The answer with [n] citation markers. When found is false, a sentence saying so. */
  1: string text,
  2: list<Citation> citations,
  /** True when the answer is made of verbatim sentences of the archive. */
  3: bool extractive,
  /** False when the archive holds nothing that answers the question. */
  4: bool found,
  /** The supporting sentences, in answer order (extractive answers). */
  5: list<string> sentences,
}

struct GetDocumentRequest {
  /** Bearer token of the caller (reserved; see evolution rules). */
  1: optional string auth_token,
  /** 64 lower-case hex characters. Required. */
  10: string doc_id,
  /** Also return every page's text. Default: false. */
  11: optional bool include_pages = false,
}

/** One page of a document. */
struct PageInfo {
  /** 1-based. */
  1: i32 number,
  /** UTF-8 text of the page. */
  2: string text,
  /** "text_layer" | "ocr" | "mixed". */
  3: string source,
  /** Mean OCR word confidence 0..100; -1 when no OCR ran. */
  4: double ocr_confidence,
}

struct DocumentInfo {
  1: string doc_id,
  2: string source_path,
  /** e.g. "application/pdf". */
  3: string media_type,
  4: string title,
  5: string author,
  6: string subject,
  /** ISO 8601, empty when unknown. */
  7: string created,
  8: string modified,
  9: string collection,
  10: list<string> tags,
  11: i32 page_count,
  12: i32 chunk_count,
  /** Unix seconds (UTC). */
  13: i64 ingested_at,
  14: i64 size_bytes,
  /** Set only when GetDocumentRequest.include_pages. */
  15: optional list<PageInfo> pages,
}

struct GetPageRequest {
  /** Bearer token of the caller (reserved; see evolution rules). */
  1: optional string auth_token,
  /** 64 lower-case hex characters. Required. */
  10: string doc_id,
  /** 1-based page number. Required. */
  11: i32 page,
}

struct GetChunkRequest {
  /** Bearer token of the caller (reserved; see evolution rules). */
  1: optional string auth_token,
  /** A chunk id from a SearchHit or Citation. Required. */
  10: i64 chunk_id,
}

/** Where part of a chunk's text comes from. */
struct ChunkSpan {
  /** 1-based page. */
  1: i32 page,
  /** UTF-8 byte span [span_begin, span_end) in that page's text. */
  2: i32 span_begin,
  3: i32 span_end,
}

struct ChunkInfo {
  1: i64 chunk_id,
  2: string doc_id,
  /** Position of the chunk within its document, 0-based. */
  3: i32 ordinal,
  4: i32 first_page,
  5: i32 last_page,
  /** The page spans the text is made of, in order. */
  6: list<ChunkSpan> spans,
  7: string text,
  /** Whitespace-separated words in the text. */
  8: i32 token_count,
  /** Section headings above the chunk, e.g. "Discharge Summary > Medications"; may be empty. */
  9: string heading_path,
}

struct ListDocumentsRequest {
  /** Bearer token of the caller (reserved; see evolution rules). */
  1: optional string auth_token,
  /** Only documents of this collection. Unset or empty: every collection. */
  10: optional string collection,
  /** Documents to skip, for paging. Default: 0. */
  11: optional i32 offset = 0,
  /** Most documents in one reply, 1..1000. Default: 100. */
  12: optional i32 limit = 100,
}

struct ListDocumentsReply {
  /** In the archive's listing order (stable between calls while nothing is ingested). */
  1: list<DocumentInfo> documents,
  /** Documents matching the request in all (not just this page). */
  2: i64 total,
}

struct StatsRequest {
  /** Bearer token of the caller (reserved; see evolution rules). */
  1: optional string auth_token,
}

struct CollectionStats {
  1: string name,
  2: i64 documents,
}

struct StatsReply {
  1: i64 documents,
  2: i64 pages,
  3: i64 chunks,
  /** Distinct terms in the lexical index. */
  4: i64 terms,
  /** Approximate on-disk size of the postings. */
  5: i64 postings_bytes,
  /** Vectors in the dense index. */
  6: i64 vectors,
  7: i32 vector_dimension,
  /** Identifier of the embedder, e.g. "builtin-hash-v1/256". */
  8: string embedder,
  9: list<CollectionStats> collections,
  /** Size of the data directory. */
  10: i64 disk_bytes,
}

service ArchivistService {
  /** Liveness and version. Needs no credentials, touches no data: fit for load-balancer probes. */
  HealthReply health() throws (1: ArchivistError error),

  /** Ranked chunks for a query. */
  SearchReply search(1: SearchRequest request) throws (1: ArchivistError error),

  /** Ingests one document from its bytes. Re-sending the same bytes is a no-op (DUPLICATE).
      A document that cannot be extracted raises the matching code (UNSUPPORTED,
      DATA_CORRUPTION, RESOURCE_EXHAUSTED, ...). */
  IngestReply ingest(1: IngestRequest request) throws (1: ArchivistError error),

  /** Answers a question from the archive, each statement cited to document and page. */
  AskReply ask(1: AskRequest request) throws (1: ArchivistError error),

  /** Metadata (and optionally pages) of one document; NOT_FOUND when it is not stored. */
  DocumentInfo getDocument(1: GetDocumentRequest request) throws (1: ArchivistError error),

  /** One page's text; NOT_FOUND when the document or page does not exist. */
  PageInfo getPage(1: GetPageRequest request) throws (1: ArchivistError error),

  /** One chunk with its exact provenance; NOT_FOUND when it does not exist. */
  ChunkInfo getChunk(1: GetChunkRequest request) throws (1: ArchivistError error),

  /** Stored documents, a page at a time. */
  ListDocumentsReply listDocuments(1: ListDocumentsRequest request)
      throws (1: ArchivistError error),

  /** Counts and sizes of the archive, including every collection and its document count. */
  StatsReply stats(1: StatsRequest request) throws (1: ArchivistError error),
}
