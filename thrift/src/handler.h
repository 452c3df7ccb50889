#pragma once
// The ArchivistService implementation. Every call goes through Handle(): authenticate the token,
// take a concurrency slot, run the body (under the call deadline for read calls), append the
// audit entry, and turn any failure into ArchivistError (see error_mapping.h). No other exception
// escapes a handler, so a bad call can never take the server down.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ArchivistService.h"
#include "archivist/index/archive.h"
#include "archivist/index/embedder.h"
#include "archivist/thrift/server.h"
#include "audit_log.h"
#include "auth.h"

namespace archivist::service {

// What one call leaves in the audit log besides who and the outcome.
struct CallRecord {
  std::string arguments;
  std::vector<std::string> doc_ids;
};

class ArchivistHandler : public thrift_gen::ArchivistServiceIf {
 public:
  // `archive` and `embedder` must outlive the handler; so must `audit` when not null.
  // Thread-safe: one instance serves every connection.
  ArchivistHandler(const ServerOptions& options, index::Archive& archive,
                   const index::Embedder& embedder, AuditLog* audit);
  // Cancels the jobs and waits for every background task (deadlined calls, jobs).
  ~ArchivistHandler() override;

  // Asks running jobs to stop (server shutdown); they finish the files in flight.
  void CancelAllJobs();

  void health(thrift_gen::HealthReply& reply) override;
  void search(thrift_gen::SearchReply& reply, const thrift_gen::SearchRequest& request) override;
  void ingest(thrift_gen::IngestReply& reply, const thrift_gen::IngestRequest& request) override;
  void ask(thrift_gen::AskReply& reply, const thrift_gen::AskRequest& request) override;
  void getDocument(thrift_gen::DocumentInfo& reply,
                   const thrift_gen::GetDocumentRequest& request) override;
  void getPage(thrift_gen::PageInfo& reply, const thrift_gen::GetPageRequest& request) override;
  void getChunk(thrift_gen::ChunkInfo& reply, const thrift_gen::GetChunkRequest& request) override;
  void listDocuments(thrift_gen::ListDocumentsReply& reply,
                     const thrift_gen::ListDocumentsRequest& request) override;
  void stats(thrift_gen::StatsReply& reply, const thrift_gen::StatsRequest& request) override;
  void summarize(thrift_gen::SummarizeReply& reply,
                 const thrift_gen::SummarizeRequest& request) override;
  void deleteDocument(thrift_gen::DeleteDocumentReply& reply,
                      const thrift_gen::DeleteDocumentRequest& request) override;
  void listCollections(thrift_gen::ListCollectionsReply& reply,
                       const thrift_gen::ListCollectionsRequest& request) override;
  void submitAsk(thrift_gen::JobStatus& reply, const thrift_gen::AskRequest& request) override;
  void submitBatch(thrift_gen::JobStatus& reply,
                   const thrift_gen::SubmitBatchRequest& request) override;
  void getJob(thrift_gen::JobStatus& reply, const thrift_gen::JobRequest& request) override;
  void cancelJob(thrift_gen::JobStatus& reply, const thrift_gen::JobRequest& request) override;
  void queryAudit(thrift_gen::AuditQueryReply& reply,
                  const thrift_gen::AuditQueryRequest& request) override;
  void backup(thrift_gen::BackupReply& reply, const thrift_gen::BackupRequest& request) override;

 private:
  struct Job;
  using Body = std::function<Status(const Caller&, CallRecord&)>;

  // The one path of every call but health. `deadlined`: run the body on a tracked background
  // thread and give up waiting after options_.call_deadline_ms.
  void Handle(const char* method, bool has_token, const std::string& token,
              std::string arguments, bool deadlined, const Body& body);
  // A deadlined call: `fn(request, reply, caller, record)` works on copies owned by the work
  // itself, so a call past its deadline can return while the work finishes in the background.
  template <typename Reply, typename Request, typename Fn>
  void HandleRead(const char* method, Reply& reply, const Request& request,
                  std::string arguments, Fn fn) {
    auto in = std::make_shared<const Request>(request);
    auto out = std::make_shared<Reply>();
    Handle(method, request.__isset.auth_token, request.auth_token, std::move(arguments), true,
           [in, out, fn](const Caller& caller, CallRecord& record) {
             return fn(*in, *out, caller, record);
           });
    reply = std::move(*out);
  }
  Status RunDeadlined(const Caller& caller, CallRecord& record, const Body& body,
                      std::shared_ptr<void> slot);
  // Starts `work` on a background thread that the destructor waits for.
  void Spawn(std::function<void()> work);

  // Rights on stored material: NOT_FOUND (not PERMISSION_DENIED) for documents of collections the
  // caller may not read, so their existence does not leak.
  Result<index::DocumentRecord> ReadableDocument(const Caller& caller, const std::string& doc_id);
  // The collection a request names, checked: allowed to the caller and existing.
  Status CheckNamedCollection(const Caller& caller, const std::string& collection);
  // For calls whose pipeline takes a single collection (ask, summarize): the one to use.
  Result<std::string> ScopeCollection(const Caller& caller, const std::string& requested);
  // Every document cited must be readable (defence in depth after scoping).
  Status CheckCitations(const Caller& caller, const std::vector<pipeline::Citation>& citations);

  Status Search(thrift_gen::SearchReply& reply, const thrift_gen::SearchRequest& request,
                const Caller& caller);
  Status Ingest(thrift_gen::IngestReply& reply, const thrift_gen::IngestRequest& request,
                const Caller& caller);
  Result<pipeline::Answer> AnswerQuestion(const thrift_gen::AskRequest& request,
                                          const Caller& caller);
  Status GetDocument(thrift_gen::DocumentInfo& reply,
                     const thrift_gen::GetDocumentRequest& request, const Caller& caller);
  Status ListDocuments(thrift_gen::ListDocumentsReply& reply,
                       const thrift_gen::ListDocumentsRequest& request, const Caller& caller);
  Status Stats(thrift_gen::StatsReply& reply, const Caller& caller);
  Status Summarize(thrift_gen::SummarizeReply& reply, const thrift_gen::SummarizeRequest& request,
                   const Caller& caller, CallRecord& record);
  Status SubmitBatch(thrift_gen::JobStatus& reply, const thrift_gen::SubmitBatchRequest& request,
                     const Caller& caller);
  Status SubmitAsk(thrift_gen::JobStatus& reply, const thrift_gen::AskRequest& request,
                   const Caller& caller);
  // The caller's own job (any job for an admin); NOT_FOUND otherwise.
  Result<std::shared_ptr<Job>> FindJob(const Caller& caller, const std::string& job_id);
  std::shared_ptr<Job> NewJob(JobKind kind, const Caller& caller);
  thrift_gen::JobStatus JobReply(Job& job);

  const ServerOptions options_;
  index::Archive& archive_;
  const index::Embedder& embedder_;
  AuditLog* const audit_;
  const Authenticator auth_;
  const std::chrono::steady_clock::time_point started_;
  // Applies use_model / max_tokens / temperature / seed to `out`; kUnsupported without a model.
  template <typename Request>
  Status UseModel(const Request& request, pipeline::GenerationOptions& out) const;
  // One generation at a time: the loaded model is shared by every call.
  std::mutex generation_mutex_;
  // One ingest at a time (uploads and batch jobs): a batch already uses every core.
  std::mutex ingest_mutex_;
  std::atomic<int> calls_in_flight_{0};

  std::mutex tasks_mu_;
  std::condition_variable tasks_cv_;
  int tasks_running_ = 0;

  std::mutex jobs_mu_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  uint64_t next_job_ = 1;
};

}  // namespace archivist::service
