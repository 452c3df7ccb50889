#pragma once
// Archivist records <-> IDL structs. The server converts outgoing replies with the To* functions,
// the client converts them back with the From* functions; a round trip keeps every field the IDL
// carries.

#include <string>
#include <vector>

#include "archivist/index/archive.h"
#include "archivist/index/records.h"
#include "archivist/pipeline/answer.h"
#include "archivist/pipeline/summarize.h"
#include "archivist/thrift/server.h"
#include "archivist_types.h"

namespace archivist::service {

thrift_gen::SearchHit ToThriftHit(const index::SearchHit& hit, bool include_text);
index::SearchHit FromThriftHit(const thrift_gen::SearchHit& hit);

std::vector<thrift_gen::Citation> ToThriftCitations(
    const std::vector<pipeline::Citation>& citations);
std::vector<pipeline::Citation> FromThriftCitations(
    const std::vector<thrift_gen::Citation>& citations);

thrift_gen::AskReply ToThriftAnswer(const pipeline::Answer& answer);
pipeline::Answer FromThriftAnswer(const thrift_gen::AskReply& reply);

thrift_gen::DocumentInfo ToThriftDocument(const index::DocumentRecord& record);
index::DocumentRecord FromThriftDocument(const thrift_gen::DocumentInfo& info);

thrift_gen::PageInfo ToThriftPage(const index::PageRecord& page);
index::PageRecord FromThriftPage(const thrift_gen::PageInfo& page);

thrift_gen::ChunkInfo ToThriftChunk(const index::ChunkRecord& chunk);
index::ChunkRecord FromThriftChunk(const thrift_gen::ChunkInfo& chunk);

thrift_gen::StatsReply ToThriftStats(const index::ArchiveStats& stats);
index::ArchiveStats FromThriftStats(const thrift_gen::StatsReply& reply);

// API 1.1 (convert_v11.cc).
thrift_gen::SummarizeReply ToThriftSummary(const pipeline::Summary& summary);
pipeline::Summary FromThriftSummary(const thrift_gen::SummarizeReply& reply);
thrift_gen::SummarizeRequest ToSummarizeRequest(const pipeline::SummarizeOptions& options);
thrift_gen::JobStatus ToThriftJob(const JobInfo& job);
// kInternal for a state or kind this build does not know (a newer server).
Result<JobInfo> FromThriftJob(const thrift_gen::JobStatus& job);
thrift_gen::AuditEntry ToThriftAudit(const AuditRecord& record);
AuditRecord FromThriftAudit(const thrift_gen::AuditEntry& entry);
thrift_gen::AuditQueryRequest ToAuditRequest(const AuditFilter& filter);

// The request a client sends for Search(query, options) / Ask(question, options).
thrift_gen::SearchRequest ToSearchRequest(const std::string& query,
                                          const index::SearchOptions& options);
thrift_gen::AskRequest ToAskRequest(const std::string& question,
                                    const pipeline::AskOptions& options);

}  // namespace archivist::service
