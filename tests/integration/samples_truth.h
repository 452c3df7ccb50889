#pragma once
// samples/ground_truth.json, loaded for the integration tests, and its phrase-matching rule.

#include <cctype>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace archivist::testing {

// A whole file as a string ("" when it cannot be read).
inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline std::string SamplesDir() { return std::string(ARCHIVIST_SOURCE_DIR) + "/samples"; }

inline nlohmann::json LoadGroundTruth() {
  std::ifstream in(SamplesDir() + "/ground_truth.json");
  return nlohmann::json::parse(in);
}

// The ground truth's matching rule: case-insensitive, on runs of letters and digits, ignoring
// punctuation and line breaks. Non-ASCII bytes count as letters so "Renée" stays one word.
inline std::string NormalizeWords(const std::string& s) {
  std::string out;
  bool pending_space = false;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c >= 0x80) {
      if (pending_space && !out.empty()) out += ' ';
      pending_space = false;
      out += static_cast<char>(std::tolower(c));
    } else {
      pending_space = true;
    }
  }
  return out;
}

inline bool ContainsPhrase(const std::string& text, const std::string& phrase) {
  std::string t = " " + NormalizeWords(text) + " ";
  return t.find(" " + NormalizeWords(phrase) + " ") != std::string::npos;
}

}  // namespace archivist::testing
