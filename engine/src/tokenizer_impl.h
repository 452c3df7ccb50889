#pragma once
// Concrete tokenizers behind archivist/engine/tokenizer.h.

#include <memory>

#include "archivist/engine/gguf.h"
#include "archivist/engine/tokenizer.h"

namespace archivist::engine {

Result<std::unique_ptr<Tokenizer>> MakeBpeTokenizer(const GgufFile& file);
Result<std::unique_ptr<Tokenizer>> MakeWordPieceTokenizer(const GgufFile& file);
Result<std::unique_ptr<Tokenizer>> MakeSpmTokenizer(const GgufFile& file);

}  // namespace archivist::engine
