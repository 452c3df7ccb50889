// The calls added in API 1.1: summarize, deleteDocument, listCollections, jobs (submitAsk,
// submitBatch, getJob, cancelJob) and queryAudit.

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "archivist/pipeline/ingest_batch.h"
#include "archivist/pipeline/summarize.h"
#include "convert.h"
#include "error_mapping.h"
#include "handler.h"
#include "request_checks.h"

namespace archivist::service {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxJobsKept = 1000;
constexpr size_t kMaxFailuresListed = 1000;

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// `path` resolved against `root`; kPermissionDenied when it leaves the root (.., symlinks).
Result<fs::path> PathUnderRoot(const std::string& root, const std::string& path) {
  if (root.empty()) {
    return Status::Unsupported("this server takes no batch jobs (server.batch_root is not set)");
  }
  if (path.empty()) return Status::InvalidArgument("path is empty");
  if (!IsValidUtf8(path) || path.find('\0') != std::string::npos) {
    return Status::InvalidArgument("path is not valid UTF-8");
  }
  std::error_code ec;
  const fs::path base = fs::canonical(root, ec);
  if (ec) return Status::Unavailable("batch root " + root + " is not readable: " + ec.message());
  fs::path target = fs::path(path).is_absolute() ? fs::path(path) : base / path;
  target = fs::weakly_canonical(target, ec);
  if (ec) return Status::InvalidArgument("path " + path + ": " + ec.message());
  const auto [root_end, unused] = std::mismatch(base.begin(), base.end(), target.begin(), target.end());
  (void)unused;
  if (root_end != base.end()) {
    return Status::PermissionDenied("path " + path + " is outside the batch root");
  }
  if (!fs::exists(target, ec)) return Status::NotFound("path " + path + " does not exist");
  return target;
}

std::string RelativeTo(const std::string& root, const std::string& path) {
  std::error_code ec;
  fs::path rel = fs::relative(path, fs::canonical(root, ec), ec);
  return ec || rel.empty() ? fs::path(path).filename().string() : rel.string();
}

}  // namespace

struct ArchivistHandler::Job {
  std::mutex mu;
  JobInfo info;
  std::atomic<bool> cancel{false};
};

std::string_view JobStateName(JobState state) {
  switch (state) {
    case JobState::kQueued: return "queued";
    case JobState::kRunning: return "running";
    case JobState::kSucceeded: return "succeeded";
    case JobState::kFailed: return "failed";
    case JobState::kCancelled: return "cancelled";
  }
  return "unknown";
}

void ArchivistHandler::summarize(thrift_gen::SummarizeReply& reply,
                                 const thrift_gen::SummarizeRequest& request) {
  std::string args = "doc_id=" + request.doc_id + " query=" + request.query.substr(0, 256) +
                     " tag=" + request.tag;
  HandleRead("summarize", reply, request, std::move(args),
             [this](const thrift_gen::SummarizeRequest& req, thrift_gen::SummarizeReply& out,
                    const Caller& caller, CallRecord& record) {
               return Summarize(out, req, caller, record);
             });
}

Status ArchivistHandler::Summarize(thrift_gen::SummarizeReply& reply,
                                   const thrift_gen::SummarizeRequest& request,
                                   const Caller& caller, CallRecord& record) {
  const RequestLimits limits{options_.max_k, options_.max_query_bytes};
  ARCHIVIST_ASSIGN_OR_RETURN(pipeline::SummarizeOptions options,
                             SummarizeOptionsFromRequest(request, limits));
  if (options.doc_id.empty()) {
    ARCHIVIST_ASSIGN_OR_RETURN(options.collection, ScopeCollection(caller, options.collection));
  }
  options.privacy = options_.privacy;
  ARCHIVIST_RETURN_IF_ERROR(UseModel(request, options.generation));
  std::unique_lock<std::mutex> generating(generation_mutex_, std::defer_lock);
  if (options.generation.enabled()) generating.lock();
  ARCHIVIST_ASSIGN_OR_RETURN(pipeline::Summary summary, pipeline::Summarize(archive_, options));
  // A document named by id (or prefix) in another collection reads as absent.
  for (const pipeline::SummarySection& section : summary.sections) {
    if (!ReadableDocument(caller, section.doc_id).ok()) {
      return Status::NotFound("document " + options.doc_id + " is not stored");
    }
  }
  ARCHIVIST_RETURN_IF_ERROR(CheckCitations(caller, summary.citations));
  for (const pipeline::SummarySection& section : summary.sections) {
    if (record.doc_ids.empty() || record.doc_ids.back() != section.doc_id) {
      record.doc_ids.push_back(section.doc_id);
    }
  }
  reply = ToThriftSummary(summary);
  return Status::Ok();
}

void ArchivistHandler::deleteDocument(thrift_gen::DeleteDocumentReply& reply,
                                      const thrift_gen::DeleteDocumentRequest& request) {
  Handle("deleteDocument", request.__isset.auth_token, request.auth_token,
         "doc_id=" + request.doc_id.substr(0, 64), false,
         [&](const Caller& caller, CallRecord& record) {
           ARCHIVIST_RETURN_IF_ERROR(caller.RequireRole(Role::kIngester, "deleteDocument"));
           ARCHIVIST_RETURN_IF_ERROR(CheckDocId(request.doc_id));
           ARCHIVIST_RETURN_IF_ERROR(ReadableDocument(caller, request.doc_id).status());
           {
             std::lock_guard<std::mutex> lock(ingest_mutex_);
             ARCHIVIST_RETURN_IF_ERROR(archive_.DeleteDocument(request.doc_id));
           }
           record.doc_ids.push_back(request.doc_id);
           reply.__set_doc_id(request.doc_id);
           return Status::Ok();
         });
}

void ArchivistHandler::listCollections(thrift_gen::ListCollectionsReply& reply,
                                       const thrift_gen::ListCollectionsRequest& request) {
  HandleRead("listCollections", reply, request, "",
             [this](const thrift_gen::ListCollectionsRequest&,
                    thrift_gen::ListCollectionsReply& out, const Caller& caller, CallRecord&) {
               ARCHIVIST_ASSIGN_OR_RETURN(index::ArchiveStats stats, archive_.Stats());
               std::vector<thrift_gen::CollectionStats> list;
               for (const auto& [name, documents] : stats.collections) {
                 if (!caller.MayRead(name)) continue;
                 thrift_gen::CollectionStats c;
                 c.__set_name(name);
                 c.__set_documents(static_cast<int64_t>(documents));
                 list.push_back(std::move(c));
               }
               out.__set_collections(std::move(list));
               return Status::Ok();
             });
}

// ---- jobs -----------------------------------------------------------------------------------

std::shared_ptr<ArchivistHandler::Job> ArchivistHandler::NewJob(JobKind kind,
                                                                const Caller& caller) {
  auto job = std::make_shared<Job>();
  std::random_device random;
  char suffix[9];
  std::snprintf(suffix, sizeof suffix, "%08x", random());
  std::lock_guard<std::mutex> lock(jobs_mu_);
  job->info.job_id = "job-" + std::to_string(next_job_++) + "-" + suffix;
  job->info.kind = kind;
  job->info.owner = caller.name;
  job->info.submitted_at = Now();
  // Forget the oldest finished jobs beyond the cap; running ones are always kept.
  for (auto it = jobs_.begin(); jobs_.size() >= kMaxJobsKept && it != jobs_.end();) {
    std::lock_guard<std::mutex> job_lock(it->second->mu);
    it = it->second->info.finished() ? jobs_.erase(it) : std::next(it);
  }
  jobs_[job->info.job_id] = job;
  return job;
}

thrift_gen::JobStatus ArchivistHandler::JobReply(Job& job) {
  std::lock_guard<std::mutex> lock(job.mu);
  return ToThriftJob(job.info);
}

Result<std::shared_ptr<ArchivistHandler::Job>> ArchivistHandler::FindJob(
    const Caller& caller, const std::string& job_id) {
  ARCHIVIST_RETURN_IF_ERROR(CheckJobId(job_id).status());
  std::shared_ptr<Job> job;
  {
    std::lock_guard<std::mutex> lock(jobs_mu_);
    auto it = jobs_.find(job_id);
    if (it != jobs_.end()) job = it->second;
  }
  if (job) {
    std::lock_guard<std::mutex> lock(job->mu);
    if (caller.role == Role::kAdmin || job->info.owner == caller.name) return job;
  }
  return Status::NotFound("job " + job_id + " does not exist");
}

void ArchivistHandler::CancelAllJobs() {
  std::lock_guard<std::mutex> lock(jobs_mu_);
  for (auto& [id, job] : jobs_) job->cancel = true;
}

void ArchivistHandler::submitAsk(thrift_gen::JobStatus& reply,
                                 const thrift_gen::AskRequest& request) {
  Handle("submitAsk", request.__isset.auth_token, request.auth_token,
         "question=" + request.question.substr(0, 256), false,
         [&](const Caller& caller, CallRecord&) { return SubmitAsk(reply, request, caller); });
}

Status ArchivistHandler::SubmitAsk(thrift_gen::JobStatus& reply,
                                   const thrift_gen::AskRequest& request, const Caller& caller) {
  // Refuse bad requests now rather than in a job that fails later.
  const RequestLimits limits{options_.max_k, options_.max_query_bytes};
  ARCHIVIST_RETURN_IF_ERROR(AskOptionsFromRequest(request, limits).status());
  std::shared_ptr<Job> job = NewJob(JobKind::kAsk, caller);
  reply = JobReply(*job);
  Spawn([this, job, request, caller] {
    {
      std::lock_guard<std::mutex> lock(job->mu);
      if (job->cancel) {
        job->info.state = JobState::kCancelled;
        job->info.finished_at = Now();
        return;
      }
      job->info.state = JobState::kRunning;
    }
    Result<pipeline::Answer> answer = Status::Internal("not run");
    try {
      answer = AnswerQuestion(request, caller);
    } catch (...) {
      answer = FromArchivistError(ArchivistErrorFromCurrentException());
    }
    std::lock_guard<std::mutex> lock(job->mu);
    job->info.finished_at = Now();
    if (answer.ok()) {
      job->info.state = JobState::kSucceeded;
      job->info.answer = std::move(*answer);
    } else {
      job->info.state = JobState::kFailed;
      job->info.error = answer.status();
    }
  });
  return Status::Ok();
}

void ArchivistHandler::submitBatch(thrift_gen::JobStatus& reply,
                                   const thrift_gen::SubmitBatchRequest& request) {
  Handle("submitBatch", request.__isset.auth_token, request.auth_token,
         "path=" + request.path.substr(0, 256) + " collection=" + request.collection, false,
         [&](const Caller& caller, CallRecord&) { return SubmitBatch(reply, request, caller); });
}

Status ArchivistHandler::SubmitBatch(thrift_gen::JobStatus& reply,
                                     const thrift_gen::SubmitBatchRequest& request,
                                     const Caller& caller) {
  ARCHIVIST_RETURN_IF_ERROR(caller.RequireRole(Role::kIngester, "submitBatch"));
  pipeline::IngestOptions ingest = options_.ingest;
  if (request.__isset.collection && !request.collection.empty()) {
    ARCHIVIST_RETURN_IF_ERROR(CheckLabel("collection", request.collection));
    ingest.collection = request.collection;
  }
  ARCHIVIST_RETURN_IF_ERROR(caller.RequireCollection(ingest.collection));
  if (request.__isset.tags) {
    if (request.tags.size() > 64) return Status::InvalidArgument("at most 64 tags are allowed");
    for (const std::string& tag : request.tags) ARCHIVIST_RETURN_IF_ERROR(CheckLabel("tag", tag));
    ingest.tags = request.tags;
  }
  ARCHIVIST_ASSIGN_OR_RETURN(fs::path target, PathUnderRoot(options_.batch_root, request.path));

  std::shared_ptr<Job> job = NewJob(JobKind::kBatchIngest, caller);
  reply = JobReply(*job);
  Spawn([this, job, ingest, target] {
    std::lock_guard<std::mutex> ingest_lock(ingest_mutex_);  // after any upload in flight
    pipeline::IngestOptions options = ingest;
    options.cancel = &job->cancel;
    {
      std::lock_guard<std::mutex> lock(job->mu);
      job->info.state = JobState::kRunning;
    }
    auto progress = [&](const pipeline::FileResult& file, const pipeline::Progress& p) {
      std::lock_guard<std::mutex> lock(job->mu);
      job->info.files_done = p.files_done;
      job->info.files_total = p.files_total;
      if (file.outcome == pipeline::Outcome::kFailed &&
          job->info.failures.size() < kMaxFailuresListed) {
        job->info.failures.push_back(
            JobFailure{RelativeTo(options_.batch_root, file.path), file.stage, file.error});
      }
    };
    Result<pipeline::IngestReport> report = Status::Internal("not run");
    try {
      report = pipeline::IngestPaths(archive_, embedder_, {target.string()}, options, progress);
    } catch (...) {
      report = FromArchivistError(ArchivistErrorFromCurrentException());
    }
    std::lock_guard<std::mutex> lock(job->mu);
    job->info.finished_at = Now();
    if (!report.ok()) {
      job->info.state = JobState::kFailed;
      job->info.error = report.status();
      return;
    }
    job->info.ingested = report->ingested;
    job->info.duplicates = report->duplicates;
    job->info.failed = report->failed;
    job->info.files_total = static_cast<int>(report->files.size());
    job->info.state = report->cancelled ? JobState::kCancelled : JobState::kSucceeded;
  });
  return Status::Ok();
}

void ArchivistHandler::getJob(thrift_gen::JobStatus& reply,
                              const thrift_gen::JobRequest& request) {
  Handle("getJob", request.__isset.auth_token, request.auth_token,
         "job_id=" + request.job_id.substr(0, 64), false,
         [&](const Caller& caller, CallRecord& record) {
           ARCHIVIST_ASSIGN_OR_RETURN(std::shared_ptr<Job> job, FindJob(caller, request.job_id));
           reply = JobReply(*job);
           if (reply.__isset.answer) {
             for (const auto& c : reply.answer.citations) record.doc_ids.push_back(c.doc_id);
           }
           return Status::Ok();
         });
}

void ArchivistHandler::cancelJob(thrift_gen::JobStatus& reply,
                                 const thrift_gen::JobRequest& request) {
  Handle("cancelJob", request.__isset.auth_token, request.auth_token,
         "job_id=" + request.job_id.substr(0, 64), false,
         [&](const Caller& caller, CallRecord&) {
           ARCHIVIST_ASSIGN_OR_RETURN(std::shared_ptr<Job> job, FindJob(caller, request.job_id));
           job->cancel = true;
           reply = JobReply(*job);
           return Status::Ok();
         });
}

void ArchivistHandler::queryAudit(thrift_gen::AuditQueryReply& reply,
                                  const thrift_gen::AuditQueryRequest& request) {
  Handle("queryAudit", request.__isset.auth_token, request.auth_token,
         "caller=" + request.caller + " method=" + request.method, false,
         [&](const Caller& caller, CallRecord&) {
           ARCHIVIST_RETURN_IF_ERROR(caller.RequireRole(Role::kAdmin, "queryAudit"));
           ARCHIVIST_ASSIGN_OR_RETURN(AuditFilter filter, AuditFilterFromRequest(request));
           if (audit_ == nullptr) {
             return Status::Unsupported("this server keeps no audit log");
           }
           ARCHIVIST_ASSIGN_OR_RETURN(AuditQueryResult result, audit_->Query(filter));
           std::vector<thrift_gen::AuditEntry> entries;
           entries.reserve(result.entries.size());
           for (const AuditRecord& r : result.entries) entries.push_back(ToThriftAudit(r));
           reply.__set_entries(std::move(entries));
           reply.__set_chain_intact(result.chain_intact);
           reply.__set_total_entries(result.total_entries);
           return Status::Ok();
         });
}

}  // namespace archivist::service
