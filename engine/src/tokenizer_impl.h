#pragma once
// Concrete tokenizers behind archivist/engine/tokenizer.h.

#include <cstddef>
#include <memory>
#include <queue>
#include <vector>

#include "archivist/engine/gguf.h"
#include "archivist/engine/tokenizer.h"

namespace archivist::engine {

Result<std::unique_ptr<Tokenizer>> MakeBpeTokenizer(const GgufFile& file);
Result<std::unique_ptr<Tokenizer>> MakeWordPieceTokenizer(const GgufFile& file);
Result<std::unique_ptr<Tokenizer>> MakeSpmTokenizer(const GgufFile& file);

// A piece of the text being merged: a byte span, linked to its neighbours (-1 at the ends).
struct MergeSymbol {
  size_t start, len;
  int prev, next;
};

// Best-first merging shared by BPE (merge ranks) and SentencePiece (piece scores): a priority queue
// over the linked list keeps it O(n log n). `try_add(left, right)` queues the pair if the vocabulary
// merges it; a Bigram carries left, right and len (the pair's combined length when queued, so
// entries made stale by an earlier merge are skipped). Merged-away symbols are left with len 0.
template <typename Bigram, typename TryAdd>
void MergeBestFirst(std::vector<MergeSymbol>& syms, std::priority_queue<Bigram>& queue,
                    TryAdd&& try_add) {
  for (size_t i = 0; i + 1 < syms.size(); ++i) try_add(static_cast<int>(i), static_cast<int>(i) + 1);
  while (!queue.empty()) {
    const Bigram bg = queue.top();
    queue.pop();
    MergeSymbol& l = syms[bg.left];
    MergeSymbol& r = syms[bg.right];
    if (l.len == 0 || r.len == 0 || l.next != bg.right || l.len + r.len != bg.len) continue;
    l.len += r.len;
    r.len = 0;
    l.next = r.next;
    if (r.next >= 0) syms[r.next].prev = bg.left;
    try_add(l.prev, bg.left);
    try_add(bg.left, l.next);
  }
}

}  // namespace archivist::engine
