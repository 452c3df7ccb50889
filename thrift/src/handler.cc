#include "handler.h"

#include <chrono>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "archivist/base/metrics.h"
#include "archivist/pipeline/answer.h"
#include "archivist/pipeline/ingest_batch.h"
#include "convert.h"
#include "error_mapping.h"
#include "request_checks.h"

namespace archivist::service {
namespace {

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Queries and questions are logged in part: enough to tell what was asked, bounded in size.
std::string Clip(const std::string& text) {
  constexpr size_t kMax = 256;
  if (text.size() <= kMax) return text;
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

// Releases a concurrency slot when the last holder (the call, or its deadlined work) is done.
class Slot {
 public:
  explicit Slot(std::atomic<int>& counter) : counter_(counter) {}
  ~Slot() { counter_.fetch_sub(1); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

 private:
  std::atomic<int>& counter_;
};

}  // namespace

ArchivistHandler::ArchivistHandler(const ServerOptions& options, index::Archive& archive,
                                   const index::Embedder& embedder, AuditLog* audit)
    : options_(options),
      archive_(archive),
      embedder_(embedder),
      audit_(audit),
      auth_(options.tokens),
      started_(std::chrono::steady_clock::now()) {}

ArchivistHandler::~ArchivistHandler() {
  CancelAllJobs();
  std::unique_lock<std::mutex> lock(tasks_mu_);
  tasks_cv_.wait(lock, [this] { return tasks_running_ == 0; });
}

void ArchivistHandler::Spawn(std::function<void()> work) {
  {
    std::lock_guard<std::mutex> lock(tasks_mu_);
    ++tasks_running_;
  }
  std::thread([this, work = std::move(work)] {
    work();
    std::lock_guard<std::mutex> lock(tasks_mu_);
    --tasks_running_;
    tasks_cv_.notify_all();
  }).detach();
}

void ArchivistHandler::Handle(const char* method, bool has_token, const std::string& token,
                              std::string arguments, bool deadlined, const Body& body) {
  CallRecord record;
  record.arguments = std::move(arguments);
  std::string caller_name = "-";
  Status status;
  try {
    status = [&]() -> Status {
      ARCHIVIST_ASSIGN_OR_RETURN(Caller caller,
                                 auth_.Authenticate(has_token, token, NowSeconds()));
      caller_name = caller.name;
      if (calls_in_flight_.fetch_add(1) >= options_.max_concurrent_calls) {
        calls_in_flight_.fetch_sub(1);
        return Status::ResourceExhausted("the server is at its limit of " +
                                         std::to_string(options_.max_concurrent_calls) +
                                         " concurrent calls; retry later");
      }
      auto slot = std::make_shared<Slot>(calls_in_flight_);
      if (deadlined && options_.call_deadline_ms > 0) {
        return RunDeadlined(caller, record, body, std::move(slot));
      }
      return body(caller, record);
    }();
  } catch (...) {
    thrift_gen::ArchivistError error = ArchivistErrorFromCurrentException();
    status = FromArchivistError(error);
  }
  if (audit_ != nullptr) {
    AuditRecord entry;
    entry.caller = caller_name;
    entry.method = method;
    entry.arguments = std::move(record.arguments);
    entry.doc_ids = std::move(record.doc_ids);
    // The IDL's code names, so audit entries read like the errors clients receive.
    entry.outcome = status.ok() ? "OK" : thrift_gen::to_string(ToArchivistError(status).code);
    // A call that cannot be audited must not succeed silently.
    if (Status logged = audit_->Append(std::move(entry)); !logged.ok() && status.ok()) {
      status = logged.WithContext("audit log");
    }
  }
  if (!status.ok()) {
    metrics::CountError("api", status.code());  // archivist_errors_total{source="api",code}
    throw ToArchivistError(status);
  }
}

Status ArchivistHandler::RunDeadlined(const Caller& caller, CallRecord& record, const Body& body,
                                      std::shared_ptr<void> slot) {
  // The work runs on its own thread with shared copies of everything it touches (the bodies of
  // deadlined calls write into a reply they own, see HandleRead), so the call can stop waiting
  // while the work runs on; the work keeps its concurrency slot until it ends, so abandoned work
  // still counts against max_concurrent_calls.
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    Status status;
    CallRecord record;
  };
  auto state = std::make_shared<State>();
  Spawn([state, body, caller, slot = std::move(slot)]() mutable {
    CallRecord local;
    Status status;
    try {
      status = body(caller, local);
    } catch (...) {
      status = FromArchivistError(ArchivistErrorFromCurrentException());
    }
    // Free the slot before the caller can see the reply, so its next call finds it free.
    slot.reset();
    std::lock_guard<std::mutex> guard(state->mu);
    state->status = std::move(status);
    state->record = std::move(local);
    state->done = true;
    state->cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(state->mu);
  if (!state->cv.wait_for(lock, std::chrono::milliseconds(options_.call_deadline_ms),
                          [&] { return state->done; })) {
    return Status::ResourceExhausted("the call did not finish within its deadline of " +
                                     std::to_string(options_.call_deadline_ms) + " ms");
  }
  record.doc_ids = std::move(state->record.doc_ids);
  return state->status;
}

// ---- calls ----------------------------------------------------------------------------------

void ArchivistHandler::health(thrift_gen::HealthReply& reply) {
  // No token, no audit entry: probes call this every few seconds.
  try {
    reply.__set_status("ok");
    reply.__set_version(ARCHIVIST_VERSION);
    reply.__set_api_version(std::string(ApiVersion()));
    reply.__set_uptime_seconds(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::steady_clock::now() - started_)
                                   .count());
  } catch (...) {
    throw ArchivistErrorFromCurrentException();
  }
}

void ArchivistHandler::search(thrift_gen::SearchReply& reply,
                              const thrift_gen::SearchRequest& request) {
  std::string args = "query=" + Clip(request.query);
  if (request.__isset.collection) args += " collection=" + request.collection;
  HandleRead("search", reply, request, std::move(args),
             [this](const thrift_gen::SearchRequest& req, thrift_gen::SearchReply& out,
                    const Caller& caller, CallRecord& record) {
               ARCHIVIST_RETURN_IF_ERROR(Search(out, req, caller));
               for (const auto& hit : out.hits) record.doc_ids.push_back(hit.doc_id);
               return Status::Ok();
             });
}

void ArchivistHandler::ingest(thrift_gen::IngestReply& reply,
                              const thrift_gen::IngestRequest& request) {
  // Not deadlined: a large scan takes minutes, and the upload must not be copied.
  Handle("ingest", request.__isset.auth_token, request.auth_token,
         "file_name=" + Clip(request.file_name) + " collection=" + request.collection +
             " bytes=" + std::to_string(request.content.size()),
         false, [&](const Caller& caller, CallRecord& record) {
           ARCHIVIST_RETURN_IF_ERROR(Ingest(reply, request, caller));
           record.doc_ids.push_back(reply.doc_id);
           return Status::Ok();
         });
}

void ArchivistHandler::ask(thrift_gen::AskReply& reply, const thrift_gen::AskRequest& request) {
  HandleRead("ask", reply, request, "question=" + Clip(request.question),
             [this](const thrift_gen::AskRequest& req, thrift_gen::AskReply& out,
                    const Caller& caller, CallRecord& record) {
               ARCHIVIST_ASSIGN_OR_RETURN(pipeline::Answer answer, AnswerQuestion(req, caller));
               for (const auto& c : answer.citations) record.doc_ids.push_back(c.doc_id);
               out = ToThriftAnswer(answer);
               return Status::Ok();
             });
}

void ArchivistHandler::getDocument(thrift_gen::DocumentInfo& reply,
                                   const thrift_gen::GetDocumentRequest& request) {
  HandleRead("getDocument", reply, request, "doc_id=" + Clip(request.doc_id),
             [this](const thrift_gen::GetDocumentRequest& req, thrift_gen::DocumentInfo& out,
                    const Caller& caller, CallRecord& record) {
               ARCHIVIST_RETURN_IF_ERROR(GetDocument(out, req, caller));
               record.doc_ids.push_back(out.doc_id);
               return Status::Ok();
             });
}

void ArchivistHandler::getPage(thrift_gen::PageInfo& reply,
                               const thrift_gen::GetPageRequest& request) {
  HandleRead("getPage", reply, request,
             "doc_id=" + Clip(request.doc_id) + " page=" + std::to_string(request.page),
             [this](const thrift_gen::GetPageRequest& req, thrift_gen::PageInfo& out,
                    const Caller& caller, CallRecord& record) {
               ARCHIVIST_RETURN_IF_ERROR(CheckDocId(req.doc_id));
               if (req.page < 1) return Status::InvalidArgument("page numbers start at 1");
               ARCHIVIST_RETURN_IF_ERROR(ReadableDocument(caller, req.doc_id).status());
               ARCHIVIST_ASSIGN_OR_RETURN(index::PageRecord page,
                                          archive_.GetPage(req.doc_id, req.page));
               out = ToThriftPage(page);
               record.doc_ids.push_back(req.doc_id);
               return Status::Ok();
             });
}

void ArchivistHandler::getChunk(thrift_gen::ChunkInfo& reply,
                                const thrift_gen::GetChunkRequest& request) {
  HandleRead("getChunk", reply, request, "chunk_id=" + std::to_string(request.chunk_id),
             [this](const thrift_gen::GetChunkRequest& req, thrift_gen::ChunkInfo& out,
                    const Caller& caller, CallRecord& record) {
               if (req.chunk_id < 0) return Status::InvalidArgument("chunk_id must be >= 0");
               const std::string missing =
                   "chunk " + std::to_string(req.chunk_id) + " does not exist";
               ARCHIVIST_ASSIGN_OR_RETURN(
                   index::ChunkRecord chunk,
                   archive_.GetChunk(static_cast<uint64_t>(req.chunk_id)));
               if (!ReadableDocument(caller, chunk.doc_id).ok()) {
                 return Status::NotFound(missing);
               }
               out = ToThriftChunk(chunk);
               record.doc_ids.push_back(chunk.doc_id);
               return Status::Ok();
             });
}

void ArchivistHandler::listDocuments(thrift_gen::ListDocumentsReply& reply,
                                     const thrift_gen::ListDocumentsRequest& request) {
  HandleRead("listDocuments", reply, request,
             "collection=" + request.collection + " offset=" + std::to_string(request.offset),
             [this](const thrift_gen::ListDocumentsRequest& req,
                    thrift_gen::ListDocumentsReply& out, const Caller& caller,
                    CallRecord& record) {
               ARCHIVIST_RETURN_IF_ERROR(ListDocuments(out, req, caller));
               for (const auto& d : out.documents) record.doc_ids.push_back(d.doc_id);
               return Status::Ok();
             });
}

void ArchivistHandler::stats(thrift_gen::StatsReply& reply,
                             const thrift_gen::StatsRequest& request) {
  HandleRead("stats", reply, request, "",
             [this](const thrift_gen::StatsRequest&, thrift_gen::StatsReply& out,
                    const Caller& caller, CallRecord&) { return Stats(out, caller); });
}

// ---- rights ---------------------------------------------------------------------------------

Result<index::DocumentRecord> ArchivistHandler::ReadableDocument(const Caller& caller,
                                                                 const std::string& doc_id) {
  ARCHIVIST_ASSIGN_OR_RETURN(index::DocumentRecord record, archive_.GetDocument(doc_id));
  if (!caller.MayRead(record.collection)) {
    return Status::NotFound("document " + doc_id + " is not stored");
  }
  return record;
}

Status ArchivistHandler::CheckNamedCollection(const Caller& caller,
                                              const std::string& collection) {
  ARCHIVIST_RETURN_IF_ERROR(CheckLabel("collection", collection));
  ARCHIVIST_RETURN_IF_ERROR(caller.RequireCollection(collection));
  ARCHIVIST_ASSIGN_OR_RETURN(index::ArchiveStats stats, archive_.Stats());
  for (const auto& [name, count] : stats.collections) {
    if (name == collection) return Status::Ok();
  }
  return Status::NotFound("collection '" + collection + "' does not exist");
}

Result<std::string> ArchivistHandler::ScopeCollection(const Caller& caller,
                                                      const std::string& requested) {
  if (!requested.empty()) {
    ARCHIVIST_RETURN_IF_ERROR(CheckNamedCollection(caller, requested));
    return requested;
  }
  if (!caller.restricted()) return std::string();
  if (caller.collections.size() == 1) return caller.collections.front();
  // The answer pipeline filters by one collection only; guessing would mix rights.
  return Status::InvalidArgument("'" + caller.name +
                                 "' may read several collections: name one in the request");
}

Status ArchivistHandler::CheckCitations(const Caller& caller,
                                        const std::vector<pipeline::Citation>& citations) {
  if (!caller.restricted()) return Status::Ok();
  for (const pipeline::Citation& c : citations) {
    ARCHIVIST_ASSIGN_OR_RETURN(index::DocumentRecord doc, archive_.GetDocument(c.doc_id));
    if (!caller.MayRead(doc.collection)) {
      return Status::Internal("an answer cited a document outside the caller's collections");
    }
  }
  return Status::Ok();
}

template <typename Request>
Status ArchivistHandler::UseModel(const Request& request,
                                  pipeline::GenerationOptions& out) const {
  out = pipeline::GenerationOptions();  // extractive unless asked
  if (!request.__isset.use_model || !request.use_model) return Status::Ok();
  if (!options_.generation.enabled()) {
    return Status::Unsupported("this server has no generative model configured ([model] path); "
                               "call without use_model for an extractive answer");
  }
  out = options_.generation;
  out.on_text = nullptr;  // replies are whole; long answers use submitAsk
  if constexpr (std::is_same_v<Request, thrift_gen::AskRequest>) {
    if (request.__isset.max_tokens) out.max_answer_tokens = request.max_tokens;
    if (request.__isset.temperature) out.temperature = static_cast<float>(request.temperature);
    if (request.__isset.seed) out.seed = static_cast<uint64_t>(request.seed);
  }
  return Status::Ok();
}

template Status ArchivistHandler::UseModel(const thrift_gen::AskRequest&,
                                           pipeline::GenerationOptions&) const;
template Status ArchivistHandler::UseModel(const thrift_gen::SummarizeRequest&,
                                           pipeline::GenerationOptions&) const;

// ---- bodies ---------------------------------------------------------------------------------

Status ArchivistHandler::Search(thrift_gen::SearchReply& reply,
                                const thrift_gen::SearchRequest& request, const Caller& caller) {
  const RequestLimits limits{options_.max_k, options_.max_query_bytes};
  ARCHIVIST_ASSIGN_OR_RETURN(index::SearchOptions search_options,
                             SearchOptionsFromRequest(request, limits));
  if (!search_options.collection.empty()) {
    ARCHIVIST_RETURN_IF_ERROR(CheckNamedCollection(caller, search_options.collection));
  }
  if (caller.restricted()) search_options.allowed_collections = caller.collections;
  ARCHIVIST_ASSIGN_OR_RETURN(std::vector<index::SearchHit> hits,
                             archive_.Search(request.query, search_options));
  const bool include_text = request.__isset.include_text && request.include_text;
  std::vector<thrift_gen::SearchHit> out;
  out.reserve(hits.size());
  for (const index::SearchHit& hit : hits) out.push_back(ToThriftHit(hit, include_text));
  reply.__set_hits(std::move(out));
  return Status::Ok();
}

Status ArchivistHandler::Ingest(thrift_gen::IngestReply& reply,
                                const thrift_gen::IngestRequest& request, const Caller& caller) {
  ARCHIVIST_RETURN_IF_ERROR(caller.RequireRole(Role::kIngester, "ingest"));
  ARCHIVIST_ASSIGN_OR_RETURN(std::string file_name, CheckUploadFileName(request.file_name));
  if (request.content.empty()) return Status::InvalidArgument("content is empty");
  ARCHIVIST_RETURN_IF_ERROR(CheckIngestLabels(request));

  pipeline::IngestOptions ingest_options = options_.ingest;
  if (request.__isset.collection && !request.collection.empty()) {
    ingest_options.collection = request.collection;
  }
  ARCHIVIST_RETURN_IF_ERROR(caller.RequireCollection(ingest_options.collection));
  if (request.__isset.tags) ingest_options.tags = request.tags;

  std::lock_guard<std::mutex> lock(ingest_mutex_);
  // The upload is ingested from memory; its file name is recorded as the source (and becomes the
  // title of a document that has none), marked as coming through the API.
  const pipeline::FileResult file = pipeline::IngestBytes(
      archive_, embedder_, request.content, "api:" + file_name, ingest_options);
  switch (file.outcome) {
    case pipeline::Outcome::kIngested:
      reply.__set_outcome(thrift_gen::IngestOutcome::INGESTED);
      break;
    case pipeline::Outcome::kDuplicate:
      reply.__set_outcome(thrift_gen::IngestOutcome::DUPLICATE);
      break;
    case pipeline::Outcome::kFailed: {
      const std::string where = file_name + " (" + file.stage + ")";
      if (file.error.ok()) return Status::Internal(where + ": failed without a reason");
      return file.error.WithContext(where);
    }
  }
  reply.__set_doc_id(file.doc_id);
  reply.__set_pages(file.pages);
  reply.__set_chunks(file.chunks);
  reply.__set_ocr_pages(file.ocr_pages);
  reply.__set_media_type(file.media_type);
  return Status::Ok();
}

Result<pipeline::Answer> ArchivistHandler::AnswerQuestion(const thrift_gen::AskRequest& request,
                                                          const Caller& caller) {
  const RequestLimits limits{options_.max_k, options_.max_query_bytes};
  ARCHIVIST_ASSIGN_OR_RETURN(pipeline::AskOptions ask_options,
                             AskOptionsFromRequest(request, limits));
  ARCHIVIST_ASSIGN_OR_RETURN(ask_options.collection,
                             ScopeCollection(caller, ask_options.collection));
  ask_options.privacy = options_.privacy;
  ARCHIVIST_RETURN_IF_ERROR(UseModel(request, ask_options.generation));
  std::unique_lock<std::mutex> generating(generation_mutex_, std::defer_lock);
  if (ask_options.generation.enabled()) generating.lock();
  ARCHIVIST_ASSIGN_OR_RETURN(pipeline::Answer answer,
                             pipeline::Ask(archive_, request.question, ask_options));
  ARCHIVIST_RETURN_IF_ERROR(CheckCitations(caller, answer.citations));
  return answer;
}

Status ArchivistHandler::GetDocument(thrift_gen::DocumentInfo& reply,
                                     const thrift_gen::GetDocumentRequest& request,
                                     const Caller& caller) {
  ARCHIVIST_RETURN_IF_ERROR(CheckDocId(request.doc_id));
  ARCHIVIST_ASSIGN_OR_RETURN(index::DocumentRecord record,
                             ReadableDocument(caller, request.doc_id));
  reply = ToThriftDocument(record);
  if (request.__isset.include_pages && request.include_pages) {
    std::vector<thrift_gen::PageInfo> pages;
    pages.reserve(static_cast<size_t>(record.page_count));
    for (int number = 1; number <= record.page_count; ++number) {
      ARCHIVIST_ASSIGN_OR_RETURN(index::PageRecord page, archive_.GetPage(record.doc_id, number));
      pages.push_back(ToThriftPage(page));
    }
    reply.__set_pages(std::move(pages));
  }
  return Status::Ok();
}

Status ArchivistHandler::ListDocuments(thrift_gen::ListDocumentsReply& reply,
                                       const thrift_gen::ListDocumentsRequest& request,
                                       const Caller& caller) {
  ARCHIVIST_ASSIGN_OR_RETURN(ListWindow window, ListWindowFromRequest(request));
  if (!window.collection.empty()) {
    ARCHIVIST_RETURN_IF_ERROR(caller.RequireCollection(window.collection));
  }
  ARCHIVIST_ASSIGN_OR_RETURN(std::vector<index::DocumentRecord> all, archive_.ListDocuments());
  std::vector<thrift_gen::DocumentInfo> documents;
  int64_t matching = 0;
  for (const index::DocumentRecord& record : all) {
    if (!window.collection.empty() && record.collection != window.collection) continue;
    if (!caller.MayRead(record.collection)) continue;
    if (matching >= window.offset && documents.size() < static_cast<size_t>(window.limit)) {
      documents.push_back(ToThriftDocument(record));
    }
    ++matching;
  }
  reply.__set_documents(std::move(documents));
  reply.__set_total(matching);
  return Status::Ok();
}

Status ArchivistHandler::Stats(thrift_gen::StatsReply& reply, const Caller& caller) {
  ARCHIVIST_ASSIGN_OR_RETURN(index::ArchiveStats stats, archive_.Stats());
  if (caller.restricted()) {
    // Archive-wide counts would describe collections the caller may not see.
    index::ArchiveStats own;
    own.embedder = stats.embedder;
    own.vector_dimension = stats.vector_dimension;
    for (const auto& entry : stats.collections) {
      if (!caller.MayRead(entry.first)) continue;
      own.collections.push_back(entry);
      own.documents += entry.second;
    }
    stats = std::move(own);
  }
  reply = ToThriftStats(stats);
  return Status::Ok();
}

}  // namespace archivist::service
