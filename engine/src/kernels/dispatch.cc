// Chooses the kernel table once, from the CPU's features.
#include "kernels/kernels.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace archivist::engine::kernels {
namespace {

KernelTable Build(Isa isa) {
  KernelTable t;
  FillScalar(&t);
  if (isa == Isa::kAvx2) FillAvx2(&t);
  if (isa == Isa::kAvx512) FillAvx512(&t);
  return t;
}

#if defined(__x86_64__)
// clang's __builtin_cpu_supports does not know "f16c"; CPUID leaf 1, ECX bit 29 is the same fact.
bool HasF16c() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_F16C) != 0;
}
#endif

}  // namespace

bool IsaAvailable(Isa isa) {
#if !defined(__x86_64__)
  return isa == Isa::kScalar;
#endif
  switch (isa) {
    case Isa::kScalar: return true;
    case Isa::kAvx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
             HasF16c();
    case Isa::kAvx512:
      return IsaAvailable(Isa::kAvx2) && __builtin_cpu_supports("avx512f") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512vnni");
  }
  return false;
}

Isa ActiveIsa() {
  static const Isa isa = IsaAvailable(Isa::kAvx512) ? Isa::kAvx512
                         : IsaAvailable(Isa::kAvx2) ? Isa::kAvx2
                                                    : Isa::kScalar;
  return isa;
}

std::string_view IsaName(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return "scalar";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
  }
  return "?";
}

const KernelTable& ForIsa(Isa isa) {
  static const KernelTable tables[3] = {Build(Isa::kScalar),
                                        IsaAvailable(Isa::kAvx2) ? Build(Isa::kAvx2) : Build(Isa::kScalar),
                                        IsaAvailable(Isa::kAvx512) ? Build(Isa::kAvx512) : Build(Isa::kScalar)};
  return tables[static_cast<int>(isa)];
}

const KernelTable& Active() {
  static const KernelTable& t = ForIsa(ActiveIsa());
  return t;
}

bool IsComputable(TensorType type) {
  int id = static_cast<int>(type);
  if (id < 0 || id >= kMaxTypeId) return false;
  const TypeKernels& k = ForIsa(Isa::kScalar).types[id];
  return k.to_float != nullptr && k.vec_dot != nullptr;
}

}  // namespace archivist::engine::kernels
