// Conversions of the API 1.1 types: summaries, jobs, audit entries.

#include <cstring>

#include "convert.h"
#include "error_mapping.h"

namespace archivist::service {
namespace {

// Wire enums are read as integers: a newer peer may send values this build does not know.
template <typename Enum>
int32_t RawEnum(const Enum& value) {
  int32_t raw = 0;
  static_assert(sizeof(value) == sizeof(raw));
  std::memcpy(&raw, &value, sizeof raw);
  return raw;
}

}  // namespace

thrift_gen::SummarizeReply ToThriftSummary(const pipeline::Summary& summary) {
  thrift_gen::SummarizeReply out;
  out.__set_text(summary.text);
  std::vector<thrift_gen::SummarySection> sections;
  sections.reserve(summary.sections.size());
  for (const pipeline::SummarySection& s : summary.sections) {
    thrift_gen::SummarySection t;
    t.__set_doc_id(s.doc_id);
    t.__set_document_title(s.document_title);
    t.__set_heading(s.heading);
    t.__set_sentences(s.sentences);
    t.__set_citation_keys(std::vector<int32_t>(s.citation_keys.begin(), s.citation_keys.end()));
    sections.push_back(std::move(t));
  }
  out.__set_sections(std::move(sections));
  out.__set_citations(ToThriftCitations(summary.citations));
  out.__set_documents(summary.documents);
  out.__set_extractive(summary.extractive);
  out.__set_redacted(summary.redacted);
  return out;
}

pipeline::Summary FromThriftSummary(const thrift_gen::SummarizeReply& reply) {
  pipeline::Summary out;
  out.text = reply.text;
  for (const thrift_gen::SummarySection& t : reply.sections) {
    pipeline::SummarySection s;
    s.doc_id = t.doc_id;
    s.document_title = t.document_title;
    s.heading = t.heading;
    s.sentences = t.sentences;
    s.citation_keys.assign(t.citation_keys.begin(), t.citation_keys.end());
    out.sections.push_back(std::move(s));
  }
  out.citations = FromThriftCitations(reply.citations);
  out.documents = reply.documents;
  out.extractive = reply.extractive;
  out.redacted = reply.redacted;
  return out;
}

thrift_gen::SummarizeRequest ToSummarizeRequest(const pipeline::SummarizeOptions& options) {
  thrift_gen::SummarizeRequest r;
  if (!options.doc_id.empty()) r.__set_doc_id(options.doc_id);
  if (!options.query.empty()) r.__set_query(options.query);
  if (!options.tag.empty()) r.__set_tag(options.tag);
  if (!options.collection.empty()) r.__set_collection(options.collection);
  r.__set_query_documents(options.query_documents);
  r.__set_sentences_per_section(options.sentences_per_section);
  r.__set_max_sections(options.max_sections);
  r.__set_max_documents(options.max_documents);
  if (options.generation.enabled()) r.__set_use_model(true);
  return r;
}

thrift_gen::JobStatus ToThriftJob(const JobInfo& job) {
  thrift_gen::JobStatus out;
  out.__set_job_id(job.job_id);
  out.__set_kind(static_cast<thrift_gen::JobKind::type>(job.kind));
  out.__set_state(static_cast<thrift_gen::JobState::type>(job.state));
  out.__set_owner(job.owner);
  out.__set_submitted_at(job.submitted_at);
  out.__set_finished_at(job.finished_at);
  out.__set_files_done(job.files_done);
  out.__set_files_total(job.files_total);
  out.__set_ingested(job.ingested);
  out.__set_duplicates(job.duplicates);
  out.__set_failed(job.failed);
  std::vector<thrift_gen::JobFailure> failures;
  failures.reserve(job.failures.size());
  for (const JobFailure& f : job.failures) {
    thrift_gen::JobFailure t;
    const thrift_gen::ArchivistError e = ToArchivistError(
        f.error.ok() ? Status::Internal("failed without a reason") : f.error);
    t.__set_path(f.path);
    t.__set_stage(f.stage);
    t.__set_code(e.code);
    t.__set_message(e.message);
    failures.push_back(std::move(t));
  }
  out.__set_failures(std::move(failures));
  if (job.state == JobState::kFailed && !job.error.ok()) out.__set_error(ToArchivistError(job.error));
  if (job.answer) out.__set_answer(ToThriftAnswer(*job.answer));
  return out;
}

Result<JobInfo> FromThriftJob(const thrift_gen::JobStatus& job) {
  JobInfo out;
  const int32_t kind = RawEnum(job.kind);
  const int32_t state = RawEnum(job.state);
  if (kind < 1 || kind > 2) return Status::Internal("server sent unknown job kind " + std::to_string(kind));
  if (state < 1 || state > 5) {
    return Status::Internal("server sent unknown job state " + std::to_string(state));
  }
  out.job_id = job.job_id;
  out.kind = static_cast<JobKind>(kind);
  out.state = static_cast<JobState>(state);
  out.owner = job.owner;
  out.submitted_at = job.submitted_at;
  out.finished_at = job.finished_at;
  out.files_done = job.files_done;
  out.files_total = job.files_total;
  out.ingested = job.ingested;
  out.duplicates = job.duplicates;
  out.failed = job.failed;
  for (const thrift_gen::JobFailure& t : job.failures) {
    thrift_gen::ArchivistError e;
    e.__set_code(t.code);
    e.__set_message(t.message);
    out.failures.push_back(JobFailure{t.path, t.stage, FromArchivistError(e)});
  }
  if (job.__isset.error) out.error = FromArchivistError(job.error);
  if (job.__isset.answer) out.answer = FromThriftAnswer(job.answer);
  return out;
}

thrift_gen::AuditEntry ToThriftAudit(const AuditRecord& record) {
  thrift_gen::AuditEntry out;
  out.__set_seq(record.seq);
  out.__set_time_ms(record.time_ms);
  out.__set_caller(record.caller);
  out.__set_method(record.method);
  out.__set_arguments(record.arguments);
  out.__set_doc_ids(record.doc_ids);
  out.__set_outcome(record.outcome);
  out.__set_hash(record.hash);
  return out;
}

AuditRecord FromThriftAudit(const thrift_gen::AuditEntry& entry) {
  return AuditRecord{entry.seq,       entry.time_ms, entry.caller,  entry.method,
                     entry.arguments, entry.doc_ids, entry.outcome, entry.hash};
}

thrift_gen::AuditQueryRequest ToAuditRequest(const AuditFilter& filter) {
  thrift_gen::AuditQueryRequest r;
  if (filter.since_ms != 0) r.__set_since_ms(filter.since_ms);
  if (filter.until_ms != 0) r.__set_until_ms(filter.until_ms);
  if (!filter.caller.empty()) r.__set_caller(filter.caller);
  if (!filter.method.empty()) r.__set_method(filter.method);
  if (!filter.doc_id.empty()) r.__set_doc_id(filter.doc_id);
  r.__set_limit(filter.limit);
  return r;
}

}  // namespace archivist::service
