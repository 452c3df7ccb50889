#include "archivist/pipeline/redact.h"

#include <gtest/gtest.h>

namespace archivist::pipeline {
namespace {

std::set<PiiKind> All() { return PrivacyPolicy().kinds; }

std::vector<std::pair<std::string, std::string>> Found(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const PiiMatch& m : FindPii(text, All())) {
    out.emplace_back(std::string(PiiKindName(m.kind)),
                     std::string(text.substr(m.begin, m.end - m.begin)));
  }
  return out;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(RedactTest, FindsEachKindOfIdentifier) {
  EXPECT_EQ(Found("Write to records@northbridge-health.example.org today."),
            (Pairs{{"email", "records@northbridge-health.example.org"}}));
  EXPECT_EQ(Found("Call 0161 496 0734 or +44 20 7946 0958."),
            (Pairs{{"phone", "0161 496 0734"}, {"phone", "+44 20 7946 0958"}}));
  EXPECT_EQ(Found("Patient MRN123 was seen; Medical record no.: 44-7810."),
            (Pairs{{"record_number", "MRN123"}, {"record_number", "Medical record no.: 44-7810"}}));
  EXPECT_EQ(Found("SSN 123-45-6789, NHS 943 476 5919, NI QQ 12 34 56 C."),
            (Pairs{{"national_id", "123-45-6789"},
                   {"national_id", "943 476 5919"},
                   {"national_id", "QQ 12 34 56 C"}}));
  EXPECT_EQ(Found("Date of birth: 1948-06-02. She was born 2 June 1948."),
            (Pairs{{"date_of_birth", "1948-06-02"}, {"date_of_birth", "2 June 1948"}}));
  EXPECT_EQ(Found("Seen by Dr. Renée Okafor and Mrs Hartwell."),
            (Pairs{{"person_name", "Dr. Renée Okafor"}, {"person_name", "Mrs Hartwell"}}));
  EXPECT_EQ(Found("She lives at 14 Mill Lane, Northbridge."),
            (Pairs{{"address", "14 Mill Lane"}}));
}

TEST(RedactTest, LeavesClinicalFactsAlone) {
  EXPECT_TRUE(Found("Apixaban 5 mg twice daily; INR 4.8 on 2024-03-04; creatinine 1.1 mg/dL.").empty());
  EXPECT_TRUE(Found("Atrial fibrillation with rapid ventricular response.").empty());
}

TEST(RedactTest, RedactsOnlyTheChosenKinds) {
  std::string text = "Dr. Osei (osei@example.org) reviewed MRN123.";
  auto names_only = FindPii(text, {PiiKind::kPersonName});
  EXPECT_EQ(Redact(text, names_only), "[REDACTED person_name] (osei@example.org) reviewed MRN123.");
  EXPECT_EQ(Redact(text, FindPii(text, All())),
            "[REDACTED person_name] ([REDACTED email]) reviewed [REDACTED record_number].");
}

TEST(RedactTest, KindNamesRoundTrip) {
  for (PiiKind k : All()) {
    auto back = PiiKindFromName(PiiKindName(k));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, k);
  }
  EXPECT_EQ(PiiKindFromName("shoe_size").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace archivist::pipeline
