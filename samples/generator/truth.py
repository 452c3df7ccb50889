"""Ground truth for the samples: per-page phrases, search queries and ask questions.

Pages are never typed in by hand. Each phrase is located in the text the generator
laid out, and must sit on exactly one page; query and question answers are
computed the same way, so a layout change can never leave a stale page number.
"""

import hashlib
import json
import os
import re

# Phrases that MUST be found on their page. For the scans, only words Tesseract
# reads reliably at 200-300 dpi (samples/verify.py checks this with tesseract).
MUST_CONTAIN = {
    "docs/discharge_summary.pdf": [
        "Discharge Summary", "Diagnoses",
        "Atrial fibrillation with rapid ventricular response", "History of Present Illness",
        "Hospital Course", "CHA2DS2-VASc", "Transthoracic echocardiography",
        "Anticoagulation change", "replaced by apixaban", "Discharge medication list", "Allergies",
        "Penicillin", "Sulfonamide", "Follow-up", "Advice Given to the Patient"],
    "docs/lab_report.pdf": [
        "Clinical Laboratory Report", "MRN123", "Coagulation", "Prothrombin time",
        "Creatinine", "Haemoglobin", "Troponin", "critical value policy LAB-CV-02"],
    "docs/retention_policy.pdf": [
        "Information Security and Records Retention Policy", "Purpose", "Definitions",
        "least privilege", "Multi-factor authentication", "Records Retention Schedule",
        "Financial records, invoices and payment records", "When a legal hold is issued",
        "Secure Disposal", "cross-cut shredding",
        "NIST SP 800-88", "Incident Reporting", "within 24 hours", "disciplinary action"],
    "docs/services_contract.pdf": [
        "Master Services Agreement", "Westgate Business Park", "Definitions",
        "Fees and Payment", "ISO/IEC 27001 certificate",
        "Termination for convenience", "Termination without notice",
        "Consequences of Termination", "England and Wales"],
    "docs/wire_transfer_emails.pdf": [
        "Email Thread Export", "process an urgent wire transfer",
        "go to their offshore account", "Corvane Trust Bank (Cayman) Ltd", "requires a call-back",
        "business email compromise",
        "No funds were sent", "suspicious activity report"],
    "docs/referral_letter_scan.pdf": [
        "Harbourview Family Practice", "Referral", "Eleanor Hartwell", "paroxysmal atrial",
        "warfarin", "anticoagulation clinic", "penicillin", "Thomas Whitcombe"],
    "docs/consent_form_scan.png": [
        "Consent Form for a Procedure", "MRN123", "Transoesophageal echocardiogram",
        "electrical cardioversion", "blood thinner", "Patient signature", "8 March 2024"],
    "docs/records_release_scan.tiff": [
        "Authorization for Release of Medical Records", "Eleanor Hartwell", "MRN123",
        "Discharge summary", "Echocardiogram report", "Recipient",
        "Purpose of the release", "Expiry and revocation", "Signature of patient"],
    "docs/meeting_notes.txt": [
        "Records Management Steering Group", "Scanning backlog", "Archivist search pilot",
        "COMP-2024-031", "legal hold", "Next meeting"],
    "docs/scanning_procedure.md": [
        "Preparing Paper Records for Scanning", "legal hold", "separator sheet", "MRN123",
        "tamper-evident", "quality assurance report"],
}

# (query, mode, primary path). mode "phrase": the words in this order; "all": every word
# somewhere on the page. Expected hits are every page that matches, primary first.
QUERIES = [
    ("apixaban", "all", "docs/discharge_summary.pdf"),
    ("termination without notice", "phrase", "docs/services_contract.pdf"),
    ("offshore wire transfer", "all", "docs/wire_transfer_emails.pdf"),
    ("Cayman", "all", "docs/wire_transfer_emails.pdf"),
    ("records retention schedule", "phrase", "docs/retention_policy.pdf"),
    ("cross-cut shredding", "phrase", "docs/retention_policy.pdf"),
    ("legal hold", "phrase", "docs/retention_policy.pdf"),
    ("prothrombin time", "phrase", "docs/lab_report.pdf"),
    ("penicillin", "all", "docs/discharge_summary.pdf"),
    ("separator sheet", "phrase", "docs/scanning_procedure.md"),
    ("Archivist pilot", "all", "docs/meeting_notes.txt"),
    ("blood thinner", "phrase", "docs/consent_form_scan.png"),
    ("referral warfarin", "all", "docs/referral_letter_scan.pdf"),
    ("expiry and revocation", "phrase", "docs/records_release_scan.tiff"),
]

# (question, path, phrases the answer's cited page must contain).
QUESTIONS = [
    ("Why was warfarin replaced with apixaban?", "docs/discharge_summary.pdf",
     ["labile INR", "time in therapeutic range"]),
    ("Which anticoagulants was she on?", "docs/discharge_summary.pdf",
     ["Warfarin has been discontinued", "apixaban 5 mg twice daily"]),
    ("What is the patient allergic to?", "docs/discharge_summary.pdf",
     ["Penicillin", "Sulfonamide"]),
    ("What was the INR on admission?", "docs/lab_report.pdf", ["INR", "4.8"]),
    ("How long must financial records be kept?", "docs/retention_policy.pdf",
     ["Financial records, invoices", "7 years"]),
    ("When can the client terminate the contract without notice?",
     "docs/services_contract.pdf", ["Termination without notice", "Material Breach"]),
    ("Which bank was the offshore wire transfer supposed to go to?",
     "docs/wire_transfer_emails.pdf", ["Corvane Trust Bank (Cayman) Ltd"]),
    ("Was any money sent in the attempted wire transfer?", "docs/wire_transfer_emails.pdf",
     ["No funds were sent"]),
    ("Who referred Eleanor Hartwell to cardiology?", "docs/referral_letter_scan.pdf",
     ["Thomas Whitcombe"]),
]

COLLECTIONS = {"clinic": ["discharge", "lab_report", "referral", "consent", "release"],
               "legal": ["policy", "contract", "emails", "meeting", "procedure"]}


def tokens(text):
    return re.findall(r"[a-z0-9]+", text.lower())


def contains_phrase(page_text, phrase):
    """Word-sequence match, case-insensitive, ignoring punctuation and line breaks."""
    hay, needle = " %s " % " ".join(tokens(page_text)), " %s " % " ".join(tokens(phrase))
    return needle in hay


def _pages_with(sample, phrase):
    return [i + 1 for i, text in enumerate(sample.pages) if contains_phrase(text, phrase)]


def _query_hits(samples, query, mode):
    hits = []
    for s in samples:
        for i, text in enumerate(s.pages):
            words = set(tokens(text))
            ok = (contains_phrase(text, query) if mode == "phrase"
                  else all(t in words for t in tokens(query)))
            if ok:
                hits.append({"path": s.path, "page": i + 1})
    return hits


def _collection(path):
    for name, keys in COLLECTIONS.items():
        if any(k in path for k in keys):
            return name
    raise KeyError(path)


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_ground_truth(samples, bad, out_path):
    root = os.path.dirname(out_path)
    by_path = {s.path: s for s in samples}
    files = []
    for s in samples:
        pages = [{"number": i + 1, "must_contain": []} for i in range(len(s.pages))]
        for phrase in MUST_CONTAIN[s.path]:
            where = _pages_with(s, phrase)
            if len(where) != 1:
                raise SystemExit("%s: %r is on pages %s, want exactly one" % (s.path, phrase,
                                                                               where))
            pages[where[0] - 1]["must_contain"].append(phrase)
        for p in pages:
            if not p["must_contain"]:
                raise SystemExit("%s page %d has no ground-truth phrase" % (s.path, p["number"]))
        full = os.path.join(root, s.path)
        entry = {"path": s.path, "title": s.title, "media_type": s.media_type,
                 "page_count": len(s.pages), "bytes": os.path.getsize(full),
                 "sha256": _sha256(full), "collection": _collection(s.path)}
        entry.update(s.extra)
        entry["pages"] = pages
        files.append(entry)

    queries = []
    for query, mode, primary in QUERIES:
        hits = _query_hits(samples, query, mode)
        first = [h for h in hits if h["path"] == primary]
        if not first:
            raise SystemExit("query %r does not match %s" % (query, primary))
        rest = [h for h in hits if h["path"] != primary]
        queries.append({"query": query, "mode": mode, "expected": first + rest})

    questions = []
    for question, path, phrases in QUESTIONS:
        s = by_path[path]
        pages = [i + 1 for i, text in enumerate(s.pages)
                 if all(contains_phrase(text, p) for p in phrases)]
        if len(pages) != 1:
            raise SystemExit("question %r: answer phrases on pages %s of %s" % (question,
                                                                               pages, path))
        questions.append({"question": question, "expected": [{"path": path, "page": pages[0]}],
                          "answer_contains": phrases})

    doc = {
        "description": "Ground truth for the Archivist samples. Paths are relative to samples/; "
                       "pages count from 1; text files are one page. must_contain phrases match "
                       "case-insensitively on words, ignoring punctuation and line breaks. "
                       "Query hits are every page that matches (mode 'phrase': the words in "
                       "order; 'all': every word on the page), the intended best hit first. "
                       "Generated by samples/generate.py; do not edit by hand.",
        "files": files,
        "bad_inputs": bad,
        "queries": queries,
        "questions": questions,
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
