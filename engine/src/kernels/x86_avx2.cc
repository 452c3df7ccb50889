// AVX2 + FMA + F16C kernels (compiled with those flags only; chosen at run time).
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "kernels/blocks.h"
#include "kernels/fp16.h"
#include "kernels/kernels.h"

namespace archivist::engine::kernels {
#if defined(__x86_64__)
namespace {
#include "kernels/x86_kernels.inc"
}  // namespace

void FillAvx2(KernelTable* t) { FillX86Common(t); }

#else
void FillAvx2(KernelTable*) {}
#endif
}  // namespace archivist::engine::kernels
