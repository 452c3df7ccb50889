#pragma once
// Rule-based detection and optional redaction of personal identifiers in text leaving the system
// (answers, summaries). Stored text is never changed: the archive keeps the record as it was.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "archivist/base/status.h"

namespace archivist::pipeline {

enum class PiiKind {
  kEmail,
  kPhone,
  kRecordNumber,   // medical record / patient / case numbers: "MRN123", "Medical record no.: 4471"
  kNationalId,     // US SSN, UK NHS and National Insurance numbers
  kDateOfBirth,    // a date introduced as a date of birth ("DOB", "born", "date of birth")
  kPersonName,     // a name after a title: "Dr. Renée Okafor", "Mrs Hartwell"
  kAddress,        // a street address: "14 Mill Lane", "221B Baker Street"
};

std::string_view PiiKindName(PiiKind kind);  // "email", "phone", "record_number", ...
// Parses a PiiKindName; kInvalidArgument for an unknown name.
Result<PiiKind> PiiKindFromName(std::string_view name);

struct PrivacyPolicy {
  // Replace detected identifiers with "[REDACTED <kind>]" in output. Default: false (detect and
  // report only; clinicians usually need the names).
  bool redact = false;
  // Kinds acted on. Default: all of them.
  std::set<PiiKind> kinds = {PiiKind::kEmail,       PiiKind::kPhone,      PiiKind::kRecordNumber,
                             PiiKind::kNationalId,  PiiKind::kDateOfBirth, PiiKind::kPersonName,
                             PiiKind::kAddress};
};

struct PiiMatch {
  PiiKind kind;
  size_t begin = 0;  // byte span in the text that was scanned
  size_t end = 0;
};

// Finds identifiers, left to right, non-overlapping (the longer match wins where two overlap).
std::vector<PiiMatch> FindPii(std::string_view text, const std::set<PiiKind>& kinds);

// Returns `text` with every match replaced by "[REDACTED <kind>]".
std::string Redact(std::string_view text, const std::vector<PiiMatch>& matches);

}  // namespace archivist::pipeline
