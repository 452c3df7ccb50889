#pragma once
// Retrieved chunks packed into a language model's context window, measured with the model's own
// tokenizer, each labelled with its citation key [n]. Document text only ever goes in the user
// message: the system message is fixed text, so instructions found inside documents cannot take
// the system role (prompt injection).

#include <functional>
#include <string>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/index/archive.h"
#include "archivist/pipeline/generation.h"

namespace archivist::pipeline {

struct Source {
  int key = 0;                   // [n]
  index::ChunkRecord chunk;
  std::string title;
  std::string source_path;
  int doc_order = 0;             // documents are shown in this order ...
  std::string text;              // what the model sees (the chunk text, or its head when truncated)
  bool truncated = false;
};

// Renders the conversation for a set of sources (in prompt order).
using RenderPrompt = std::function<std::vector<engine::ChatMessage>(const std::vector<Source>&)>;

struct PackedPrompt {
  std::vector<Source> sources;           // in prompt order
  std::vector<engine::ChatMessage> messages;
  std::string text;                      // chat-formatted
  std::vector<engine::TokenId> tokens;   // what the model decodes; size() <= budget
  int64_t budget = 0;                    // context window minus the answer's reserve
  int dropped = 0;                       // candidates left out for lack of room
};

struct PackOptions {
  int64_t budget = 0;
  // Number the packed sources 1..n in prompt order; otherwise keep the keys they carry.
  bool renumber = true;
  // A candidate too long to fit whole is cut (at a word boundary) to the room left, when at
  // least this many tokens are left; otherwise it is skipped and later (shorter) ones are tried.
  int64_t min_truncated_tokens = 48;
};

// Candidates in order of preference (retrieval rank). Each is added if the whole rendered prompt
// still fits the budget; the prompt shows the packed ones by (doc_order, chunk ordinal) so a
// document reads in sequence. kResourceExhausted when not even the prompt without sources fits.
Result<PackedPrompt> PackPrompt(const LanguageModels& models, const std::vector<Source>& candidates,
                                const RenderPrompt& render, const PackOptions& options);

// "[3] Discharge letter, page 2" followed by the text.
std::string SourceBlock(const Source& s);

// The question-answering conversation: fixed system instructions, sources + question as the user.
std::vector<engine::ChatMessage> AskMessages(const std::string& question,
                                             const std::vector<Source>& sources);

// The answer that says the material holds none; generated answers containing it count as not found.
extern const char* const kArchiveDoesNotSay;

}  // namespace archivist::pipeline
