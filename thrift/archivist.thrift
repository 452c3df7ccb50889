/*
 * Archivist service API, version 1.2.
 *
 * History: 1.0 search, ingest, ask, get*, listDocuments, stats, health.
 *          1.1 authentication (auth_token is now checked), summarize, ask generation options,
 *              polling jobs (submitAsk, submitBatch, getJob, cancelJob), deleteDocument,
 *              listCollections, queryAudit. Every 1.0 call and field is unchanged.
 *          1.2 backup (an online, consistent backup written by the server).
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
 *    request ids, deadlines). `auth_token` (1) carries the caller's bearer token.
 *
 * Authentication: every call but health() reads the token from the request's `auth_token`
 * field. A field rather than a THeader or a transport hook because every Thrift binding (C++,
 * Python, Java, Go) and every transport carries it unchanged, it is visible in this contract,
 * and it needs no custom middleware in client code. Tokens are secrets: run the server with TLS
 * whenever the network between client and server is not the loopback interface. A server with no
 * tokens configured (development on 127.0.0.1) treats every caller as an anonymous admin.
 *
 * Roles: reader (search, ask, summarize, get*, list*, stats, getJob of own jobs),
 * ingester (reader + ingest, submitBatch, deleteDocument, cancelJob of own jobs),
 * admin (everything, every collection, queryAudit, any job). Readers and ingesters may be limited
 * to a list of collections; documents of other collections are invisible to them (NOT_FOUND or
 * absent from results), and naming another collection is PERMISSION_DENIED.
 *
 * Audit: every call (health excepted) is appended to the server's audit log: who, when, method,
 * a summary of the arguments, the ids of the documents returned, and the outcome. The log is a
 * hash chain; no call deletes or edits it; admins read it with queryAudit().
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
const string API_VERSION = "1.2"

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
  /** A limit was hit: size of a message or document, concurrent calls (server.max_concurrent_calls),
      the call's deadline (server.call_deadline_ms). Retry later, or with a smaller request. */
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
  /** At most one hit per document (its best chunk). Default: false. (1.1) */
  16: optional bool group_by_document = false,
  /* 17-39 reserved for filters (tags, media type, date range). Filters can also be written in
     the query itself: collection:, type:, tag:, doc: (see the README's query language); the
     server refuses queries nested deeper than its parser allows with INVALID_ARGUMENT. */
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
  /** Generation options (1.1). When use_model is true the answer is written by the server's
      generative model from the retrieved passages; a server without a model configured refuses
      with UNSUPPORTED. Default: false (extractive answer, verbatim sentences). */
  15: optional bool use_model = false,
  /** Most tokens the model may generate, 1..4096. Default: the server's ([model]
      max_answer_tokens, 512). */
  16: optional i32 max_tokens,
  /** Sampling temperature, 0 (greedy, reproducible) .. 2. Default: the server's (0). */
  17: optional double temperature,
  /** Sampling seed (>= 0), for reproducible answers at temperature > 0. Default: the
      server's (0). */
  18: optional i64 seed,
  /* 19-39 reserved. */
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

/** The material a summary is made of: exactly one of doc_id, query, tag. (1.1) */
struct SummarizeRequest {
  /** Bearer token of the caller. */
  1: optional string auth_token,
  /** One document: its id (64 hex) or a unique prefix of it (at least 8 hex digits). */
  10: optional string doc_id,
  /** The documents that best match this query (see query_documents). */
  11: optional string query,
  /** Every document with this tag (at most max_documents). */
  12: optional string tag,
  /** Restricts query and tag selection to one collection. Unset or empty: every collection the
      caller may read. */
  13: optional string collection,
  /** Documents taken for a query, 1..20. Default: 3. */
  14: optional i32 query_documents = 3,
  /** Sentences kept per section, 1..10. Default: 2. */
  15: optional i32 sentences_per_section = 2,
  /** Sections per document, 1..50. Default: 10. */
  16: optional i32 max_sections = 10,
  /** Documents taken for a tag, 1..100. Default: 20. */
  17: optional i32 max_documents = 20,
  /** Have the server's generative model write the summary from the material; a server without
      a model refuses with UNSUPPORTED. Default: false (extractive). */
  18: optional bool use_model = false,
}

/** One section of a summary. */
struct SummarySection {
  1: string doc_id,
  2: string document_title,
  /** The section's heading; empty for text before the first heading. */
  3: string heading,
  /** Verbatim sentences, in document order. */
  4: list<string> sentences,
  /** One per sentence: the Citation.key that cites it. */
  5: list<i32> citation_keys,
}

struct SummarizeReply {
  /** The rendered summary with [n] citation markers. */
  1: string text,
  2: list<SummarySection> sections,
  3: list<Citation> citations,
  /** Documents summarized. */
  4: i32 documents,
  /** True when made of verbatim sentences. */
  5: bool extractive,
  /** True when personal identifiers were replaced (server privacy policy). */
  6: bool redacted,
}

struct DeleteDocumentRequest {
  /** Bearer token of the caller (ingester or admin). */
  1: optional string auth_token,
  /** 64 lower-case hex characters. Required. */
  10: string doc_id,
}

struct DeleteDocumentReply {
  /** The document that was removed, with every page, chunk, posting and vector of it. */
  1: string doc_id,
}

struct ListCollectionsRequest {
  1: optional string auth_token,
}

struct ListCollectionsReply {
  /** The collections the caller may read, by name, each with its document count. */
  1: list<CollectionStats> collections,
}

/** What a job does. */
enum JobKind {
  /** A batch ingest of a server-side path (submitBatch). */
  BATCH_INGEST = 1,
  /** A question answered in the background (submitAsk). */
  ASK = 2,
}

enum JobState {
  /** Accepted, waiting for a worker. */
  QUEUED = 1,
  RUNNING = 2,
  /** Finished; for batches, individual files may still have failed (see failures). */
  SUCCEEDED = 3,
  /** The job itself could not run (see JobStatus.error). */
  FAILED = 4,
  /** Stopped by cancelJob; documents committed before the cancel stay. */
  CANCELLED = 5,
}

struct SubmitBatchRequest {
  /** Bearer token of the caller (ingester or admin). */
  1: optional string auth_token,
  /** A file or directory on the server, absolute or relative to the server's batch root
      (server.batch_root). Paths outside the batch root are PERMISSION_DENIED; a server without
      a batch root refuses every batch with UNSUPPORTED. Required. */
  10: string path,
  /** Collection for every document. Unset or empty: the server's default. */
  11: optional string collection,
  /** Tags for every document. Default: none. */
  12: optional list<string> tags,
}

/** One file of a batch that could not be ingested. */
struct JobFailure {
  /** Path relative to the batch root. */
  1: string path,
  /** "discover" | "read" | "extract" | "embed" | "commit". */
  2: string stage,
  3: ErrorCode code,
  4: string message,
}

struct JobRequest {
  1: optional string auth_token,
  /** The id submitBatch or submitAsk returned. Required. */
  10: string job_id,
}

struct JobStatus {
  /** Opaque id; jobs are kept in memory until the server restarts (last 1000). */
  1: string job_id,
  2: JobKind kind,
  3: JobState state,
  /** Token name of the submitter. */
  4: string owner,
  /** Unix seconds. */
  5: i64 submitted_at,
  /** Unix seconds; 0 while not finished. */
  6: i64 finished_at,
  /** Batch progress: files finished / found (files_total is 0 until discovery is done). */
  7: i32 files_done,
  8: i32 files_total,
  9: i32 ingested,
  10: i32 duplicates,
  11: i32 failed,
  /** Files that failed, in order (at most 1000 listed; `failed` counts them all). */
  12: list<JobFailure> failures,
  /** Why the job itself failed (state FAILED). */
  13: optional ArchivistError error,
  /** The answer of an ASK job once SUCCEEDED. */
  14: optional AskReply answer,
}

/** An online backup (admin only): the server, which holds the store open, writes the copy. */
struct BackupRequest {
  1: optional string auth_token,
  /** Absolute path on the server of a directory that does not exist yet; its parent must exist
      and be writable by the server (under systemd: inside the unit's ReadWritePaths). Required. */
  10: string target_dir,
}

struct BackupReply {
  /** The directory written: a RocksDB checkpoint plus the vector index, restorable with
      `archivist restore`. */
  1: string target_dir,
}

/** A query over the audit log (admin only). Every condition set must hold. */
struct AuditQueryRequest {
  1: optional string auth_token,
  /** Entries at or after this time, Unix milliseconds. Default: the beginning. */
  10: optional i64 since_ms,
  /** Entries before this time, Unix milliseconds. Default: no end. */
  11: optional i64 until_ms,
  /** Only calls by this token name ("anonymous" on servers without tokens). */
  12: optional string caller,
  /** Only this method, e.g. "search". */
  13: optional string method,
  /** Only entries that returned or touched this document. */
  14: optional string doc_id,
  /** Most entries returned, newest last, 1..10000. Default: 1000. */
  15: optional i32 limit = 1000,
}

struct AuditEntry {
  /** Position in the log, from 1, without gaps. */
  1: i64 seq,
  /** Unix milliseconds. */
  2: i64 time_ms,
  /** Token name, "anonymous", or "-" when the token was missing or wrong. */
  3: string caller,
  4: string method,
  /** Arguments in short: query or question (first 256 bytes), ids, collection, counts. */
  5: string arguments,
  /** Ids of the documents returned or changed. */
  6: list<string> doc_ids,
  /** "OK" or the ErrorCode name. */
  7: string outcome,
  /** Hex SHA-256 over the previous entry's hash and this entry: the chain. */
  8: string hash,
}

struct AuditQueryReply {
  /** Matching entries, oldest first; the newest `limit` when more match. */
  1: list<AuditEntry> entries,
  /** True when every entry's hash chains to the one before it (nothing edited or removed). */
  2: bool chain_intact,
  /** Entries in the whole log. */
  3: i64 total_entries,
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

  /** A summary of one document, the best matches of a query, or a tag, each sentence cited.
      (1.1) */
  SummarizeReply summarize(1: SummarizeRequest request) throws (1: ArchivistError error),

  /** Removes a document and every trace of it; NOT_FOUND when it is not stored. Ingester or
      admin, with rights on the document's collection. (1.1) */
  DeleteDocumentReply deleteDocument(1: DeleteDocumentRequest request)
      throws (1: ArchivistError error),

  /** The collections the caller may read. (1.1) */
  ListCollectionsReply listCollections(1: ListCollectionsRequest request)
      throws (1: ArchivistError error),

  /** ask() in the background, for long (generated) answers: returns at once with a job to
      poll with getJob(). (1.1) */
  JobStatus submitAsk(1: AskRequest request) throws (1: ArchivistError error),

  /** Starts a batch ingest of a server-side file or directory; poll it with getJob(). (1.1) */
  JobStatus submitBatch(1: SubmitBatchRequest request) throws (1: ArchivistError error),

  /** State, progress and failures of a job (the submitter's own, or any for an admin). (1.1) */
  JobStatus getJob(1: JobRequest request) throws (1: ArchivistError error),

  /** Stops a job: no new file is started; files in flight finish. Cancelling a finished job
      changes nothing. (1.1) */
  JobStatus cancelJob(1: JobRequest request) throws (1: ArchivistError error),

  /** Reads the audit log (admin only). The log has no call that edits or deletes it. (1.1) */
  AuditQueryReply queryAudit(1: AuditQueryRequest request) throws (1: ArchivistError error),

  /** A consistent backup of the running server's archive (admin only); writes wait for it.
      ALREADY_EXISTS-style INVALID_ARGUMENT when the target exists. (1.2) */
  BackupReply backup(1: BackupRequest request) throws (1: ArchivistError error),
}
