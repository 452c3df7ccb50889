#include "archivist/pipeline/redact.h"

#include <algorithm>

// GCC 12 reports a false "may be used uninitialized" inside libstdc++'s <regex> automaton when
// instrumented (ASan); the warning is in the library's template code, not ours.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop

namespace archivist::pipeline {
namespace {

struct Rule {
  PiiKind kind;
  std::regex pattern;
  int group;  // the sub-match that is the identifier (0: the whole match)
};

// ECMAScript regexes over UTF-8 bytes: "[A-Z\x80-\xff]" style classes let accented names through.
const std::vector<Rule>& Rules() {
  static const std::vector<Rule> rules = [] {
    const auto flags = std::regex::ECMAScript | std::regex::optimize;
    const auto icase = flags | std::regex::icase;
    const std::string name_word = R"((?:[A-Z](?:[a-z\x80-\xff'\-]|[A-Z](?=[a-z]))+))";
    std::vector<Rule> r;
    r.push_back({PiiKind::kEmail,
                 std::regex(R"([A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})",
                            flags),
                 0});
    // Before phones: these are digit runs too, and the more specific reading should win.
    r.push_back({PiiKind::kNationalId,
                 std::regex(R"(\b(?:\d{3}-\d{2}-\d{4}|\d{3} \d{3} \d{4}|[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D])\b)",
                            flags),
                 0});
    r.push_back({PiiKind::kRecordNumber,
                 std::regex(R"(\b(?:MRN|medical record (?:no\.?|number)|patient (?:id|no\.?|number)|hospital (?:no\.?|number))\s*[:#]?\s*([A-Z]{0,3}\d[\d\-]{2,}))",
                            icase),
                 0});
    r.push_back({PiiKind::kDateOfBirth,
                 std::regex(R"(\b(?:date of birth|d\.?o\.?b\.?|born(?: on)?)\s*[:\-]?\s*((?:\d{4}-\d{2}-\d{2})|(?:\d{1,2}[/.]\d{1,2}[/.]\d{2,4})|(?:\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{4})|(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2},? \d{4})))",
                            icase),
                 1});
    r.push_back({PiiKind::kPhone,
                 std::regex(R"((?:\+\d{1,3}[ .\-]?)?(?:\(\d{2,5}\)[ .\-]?)?\d{2,5}[ .\-]\d{3,4}[ .\-]?\d{3,4}\b)",
                            flags),
                 0});
    r.push_back({PiiKind::kPersonName,
                 std::regex(R"(\b(?:Dr|Mr|Mrs|Ms|Miss|Prof|Sr|Nurse)\.? )" + name_word +
                                R"((?: (?:[A-Z]\. )?)" + name_word + R"(){0,2})",
                            flags),
                 0});
    r.push_back({PiiKind::kAddress,
                 std::regex(R"(\b\d{1,5}[A-Z]? (?:[A-Z][a-z]+ ){1,3}(?:Street|St|Road|Rd|Lane|Ln|Avenue|Ave|Drive|Dr|Close|Court|Ct|Way|Place|Pl|Boulevard|Blvd|Terrace|Crescent|Square|Gardens|Row)\b\.?)",
                            flags),
                 0});
    return r;
  }();
  return rules;
}

}  // namespace

std::string_view PiiKindName(PiiKind kind) {
  switch (kind) {
    case PiiKind::kEmail: return "email";
    case PiiKind::kPhone: return "phone";
    case PiiKind::kRecordNumber: return "record_number";
    case PiiKind::kNationalId: return "national_id";
    case PiiKind::kDateOfBirth: return "date_of_birth";
    case PiiKind::kPersonName: return "person_name";
    case PiiKind::kAddress: return "address";
  }
  return "unknown";
}

Result<PiiKind> PiiKindFromName(std::string_view name) {
  for (PiiKind k : {PiiKind::kEmail, PiiKind::kPhone, PiiKind::kRecordNumber,
                    PiiKind::kNationalId, PiiKind::kDateOfBirth, PiiKind::kPersonName,
                    PiiKind::kAddress}) {
    if (PiiKindName(k) == name) return k;
  }
  return Status::InvalidArgument("unknown identifier kind '" + std::string(name) +
                                 "' (email, phone, record_number, national_id, date_of_birth, "
                                 "person_name, address)");
}

std::vector<PiiMatch> FindPii(std::string_view text, const std::set<PiiKind>& kinds) {
  std::vector<PiiMatch> all;
  std::string s(text);
  for (const Rule& rule : Rules()) {
    if (!kinds.count(rule.kind)) continue;
    for (auto it = std::sregex_iterator(s.begin(), s.end(), rule.pattern);
         it != std::sregex_iterator(); ++it) {
      const std::smatch& m = *it;
      int g = m[rule.group].matched ? rule.group : 0;
      all.push_back({rule.kind, static_cast<size_t>(m.position(g)),
                     static_cast<size_t>(m.position(g) + m.length(g))});
    }
  }
  // Longest first at each position, then drop anything overlapping an accepted match.
  std::sort(all.begin(), all.end(), [](const PiiMatch& a, const PiiMatch& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    return a.end - a.begin > b.end - b.begin;
  });
  std::vector<PiiMatch> out;
  for (const PiiMatch& m : all) {
    if (!out.empty() && m.begin < out.back().end) {
      if (m.end - m.begin > out.back().end - out.back().begin && m.begin == out.back().begin) {
        out.back() = m;
      }
      continue;
    }
    out.push_back(m);
  }
  return out;
}

std::string Redact(std::string_view text, const std::vector<PiiMatch>& matches) {
  std::string out;
  size_t pos = 0;
  for (const PiiMatch& m : matches) {
    if (m.begin < pos || m.end > text.size()) continue;
    out.append(text.substr(pos, m.begin - pos));
    out += "[REDACTED ";
    out += PiiKindName(m.kind);
    out += "]";
    pos = m.end;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace archivist::pipeline
