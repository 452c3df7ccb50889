// Chat templates of the supported families, selected from tokenizer.chat_template (a Jinja text we
// recognise by its markers; we do not run Jinja) or, without one, from the architecture.
#include "archivist/engine/gguf.h"
#include "archivist/engine/generate.h"

namespace archivist::engine {
namespace {

enum class Family { kLlama3, kLlama4, kChatMl, kMistral };

Family Detect(const Model& model) {
  const GgufValue* t = model.gguf().Find("tokenizer.chat_template");
  if (t != nullptr && t->type() == GgufValueType::kString) {
    const std::string& s = t->AsString();
    if (s.find("<|header_start|>") != std::string::npos) return Family::kLlama4;
    if (s.find("<|start_header_id|>") != std::string::npos) return Family::kLlama3;
    if (s.find("<|im_start|>") != std::string::npos) return Family::kChatMl;
    if (s.find("[INST]") != std::string::npos) return Family::kMistral;
  }
  const std::string& arch = model.info().architecture;
  if (arch == "llama4") return Family::kLlama4;
  if (arch == "qwen2moe" || arch == "qwen3moe") return Family::kChatMl;
  // llama: Llama 3 when the vocabulary has its header tokens, else Mistral/Mixtral.
  const Tokenizer& tok = model.tokenizer();
  for (int32_t i = tok.n_vocab() - 1; i >= 0 && i >= tok.n_vocab() - 512; --i) {
    if (tok.TokenText(i) == "<|start_header_id|>") return Family::kLlama3;
  }
  return Family::kMistral;
}

}  // namespace

Result<std::string> ApplyChatTemplate(const Model& model, std::span<const ChatMessage> messages,
                                      bool add_generation_prompt) {
  for (const auto& m : messages) {
    if (m.role != "system" && m.role != "user" && m.role != "assistant") {
      return Status::InvalidArgument("chat role '" + m.role +
                                     "' is not one of system, user, assistant");
    }
  }
  const Tokenizer& tok = model.tokenizer();
  const std::string bos = tok.bos() >= 0 ? tok.TokenText(tok.bos()) : "";
  std::string out;
  switch (Detect(model)) {
    case Family::kLlama3:
      out = bos;
      for (const auto& m : messages) {
        out += "<|start_header_id|>" + m.role + "<|end_header_id|>\n\n" + m.content + "<|eot_id|>";
      }
      if (add_generation_prompt) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
      break;
    case Family::kLlama4:
      out = bos;
      for (const auto& m : messages) {
        out += "<|header_start|>" + m.role + "<|header_end|>\n\n" + m.content + "<|eot|>";
      }
      if (add_generation_prompt) out += "<|header_start|>assistant<|header_end|>\n\n";
      break;
    case Family::kChatMl:
      for (const auto& m : messages) {
        out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
      }
      if (add_generation_prompt) out += "<|im_start|>assistant\n";
      break;
    case Family::kMistral: {
      out = bos;
      std::string system;
      for (const auto& m : messages) {
        if (m.role == "system") {
          system += m.content + "\n\n";
        } else if (m.role == "user") {
          out += "[INST] " + system + m.content + " [/INST]";
          system.clear();
        } else {
          out += " " + m.content + (tok.eos() >= 0 ? tok.TokenText(tok.eos()) : "");
        }
      }
      break;
    }
  }
  return out;
}

}  // namespace archivist::engine
