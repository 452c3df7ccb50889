#pragma once
// Retrieval quality measurement on test collections with relevance judgments (the layout of
// ../shared/corpora/ir/: docs.jsonl {"id","title","text"}, queries.jsonl {"id","text"}, qrels.tsv
// "qid docid rel" or TREC's "qid 0 docid rel"). Backs `archivist eval`; metrics follow trec_eval.

#include <map>
#include <string>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/index/archive.h"

namespace archivist::index {

struct IrDocument {
  std::string id;
  std::string title;
  std::string text;
};

struct IrQuery {
  std::string id;
  std::string text;
};

// query id -> document id -> graded relevance (> 0 is relevant).
using Qrels = std::map<std::string, std::map<std::string, int>>;
// query id -> document ids, best first.
using IrRun = std::map<std::string, std::vector<std::string>>;

struct IrCollection {
  std::vector<IrDocument> docs;
  std::vector<IrQuery> queries;
  Qrels qrels;
};

// Reads the three files; kInvalidArgument names the file and line of a malformed record.
Result<IrCollection> LoadIrCollection(const std::string& docs_jsonl, const std::string& queries_jsonl,
                                      const std::string& qrels_tsv);

struct RetrievalMetrics {
  double ndcg_at_10 = 0.0;     // graded gains, log2 discount, ideal from all judged documents
  double map = 0.0;            // mean average precision over the whole run
  double recall_at_100 = 0.0;
  int queries = 0;             // queries with at least one relevant document (the averaging set)
};

// Scores a run against judgments. Every query with a relevant document counts; one absent from
// the run scores 0 (trec_eval -c).
RetrievalMetrics Evaluate(const IrRun& run, const Qrels& qrels);

struct EvalOptions {
  SearchMode mode = SearchMode::kLexical;  // Default: lexical (BM25)
  int depth = 1000;                        // documents retrieved per query. Default: 1000
  std::string collection = "eval";         // archive collection the documents go into. Default: "eval"

  Status Validate() const;
};

// The text each document is indexed with (title, newline, text): fit a corpus-trained embedder
// (FitLsaEmbedder) on exactly these before ingesting.
std::vector<std::string> IrCorpusTexts(const IrCollection& collection);

// Adds each document as one chunk (title, newline, text) with doc_id = the collection's id.
// Documents already present are skipped, so an interrupted ingest can be resumed.
Status IngestIrCollection(Archive& archive, const IrCollection& collection,
                          const EvalOptions& options = {});

// Runs every query as plain words (no query syntax) and ranks documents by their best chunk.
Result<IrRun> RunIrQueries(Archive& archive, const IrCollection& collection,
                         const EvalOptions& options = {});

}  // namespace archivist::index
