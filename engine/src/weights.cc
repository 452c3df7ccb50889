#include "weights.h"

#include "archivist/engine/quantize.h"

namespace archivist::engine {
namespace {

std::string Shape(const std::vector<int64_t>& ne) {
  std::string s = "[";
  for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
  return s + "]";
}

}  // namespace

Result<Weight> WeightLoader::Optional(const std::string& name,
                                      std::initializer_list<int64_t> ne) const {
  if (file_.FindTensor(name) == nullptr) return Weight{};
  return Get(name, ne);
}

Result<Weight> WeightLoader::Get(const std::string& name, std::initializer_list<int64_t> ne) const {
  const GgufTensorInfo* t = file_.FindTensor(name);
  if (t == nullptr) return Status::NotFound("model tensor '" + name + "' is missing");
  std::vector<int64_t> want(ne);
  bool match = t->ne.size() <= want.size();
  for (size_t i = 0; match && i < want.size(); ++i) {
    if (want[i] >= 0 && t->dim(i) != want[i]) match = false;
  }
  if (!match) {
    return Status::InvalidArgument("model tensor '" + name + "' has shape " + Shape(t->ne) +
                                   ", expected " + Shape(want));
  }
  if (!IsComputableType(t->type)) {
    return Status::Unsupported("model tensor '" + name + "' has type " +
                               std::string(TensorTypeName(t->type)) +
                               ", which this engine cannot compute with");
  }
  Weight w;
  w.info = t;
  w.type = t->type;
  w.n_in = t->dim(0);
  w.n_out = t->dim(1);
  w.n_expert = t->dim(2);
  w.row_bytes = *TensorRowBytes(t->type, static_cast<uint64_t>(w.n_in));
  w.data = t->data;
  return w;
}

Result<Weight> WeightLoader::GetF32(const std::string& name, int64_t n) const {
  ARCHIVIST_ASSIGN_OR_RETURN(Weight w, Get(name, {n}));
  if (w.type != TensorType::kF32) {
    return Status::Unsupported("model tensor '" + name + "' must be F32, found " +
                               std::string(TensorTypeName(w.type)));
  }
  return w;
}

Result<Weight> WeightLoader::OptionalF32(const std::string& name, int64_t n) const {
  if (file_.FindTensor(name) == nullptr) return Weight{};
  return GetF32(name, n);
}

}  // namespace archivist::engine
