#!/usr/bin/env python3
"""Generates the Archivist sample documents and their ground truth.

    python3 samples/generate.py        # rewrites samples/docs, samples/bad, ground_truth.json

Python standard library only, plus the Debian tools pdftoppm (poppler-utils) and
convert (imagemagick) for the scanned samples. Output is deterministic: fixed
dates, fixed seeds, content-derived PDF IDs. Every phrase the ground truth
promises is checked against the text the generator laid out; run
samples/verify.py afterwards to check it against pdftotext and tesseract too.
"""

import os
import random
import re
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # keep samples/ free of __pycache__

from generator import clinical, legal, pdf, raster  # noqa: E402
from generator.truth import write_ground_truth  # noqa: E402

DOCS, BAD = os.path.join(HERE, "docs"), os.path.join(HERE, "bad")
SCAN_DPI = 200
PRODUCER = "Archivist samples generator 1.0"


def _norm(text):
    return re.sub(r"\s+", " ", text).strip()


class Sample:
    def __init__(self, path, title, media_type, pages, **extra):
        self.path, self.title, self.media_type = path, title, media_type
        self.pages = [_norm(" ".join(p) if isinstance(p, list) else p) for p in pages]
        self.extra = extra


def text_pdf(name, blocks, info, family, footer, size=10.5, margin=72.0):
    layout = pdf.Layout(family=family, size=size, margin=margin, footer=footer)
    for block in blocks:
        layout.add(block)
    pages = layout.finish()
    full = dict(info, Creator="Archivist samples generator", Producer=PRODUCER,
                ModDate=info["CreationDate"])
    with open(os.path.join(DOCS, name), "wb") as f:
        f.write(pdf.write_text_pdf(pages, family, full))
    return layout, Sample("docs/" + name, info["Title"], "application/pdf", layout.page_texts,
                          extraction="text_layer", embedded_title=info["Title"],
                          author=info["Author"], subject=info["Subject"],
                          created=_pdf_date_iso(info["CreationDate"]))


def _pdf_date_iso(d):
    return "%s-%s-%sT%s:%s:%sZ" % (d[2:6], d[6:8], d[8:10], d[10:12], d[12:14], d[14:16])


def scan_source(blocks, tmp, stem):
    """Lay out a document as it looked on paper and write it as a throwaway text PDF."""
    layout = pdf.Layout(family="serif", size=12)
    for block in blocks:
        layout.add(block)
    pages = layout.finish()
    src = os.path.join(tmp, stem + ".pdf")
    with open(src, "wb") as f:
        f.write(pdf.write_text_pdf(pages, "serif", {"Title": stem}))
    return layout, src


def scan(src, page, tmp, stem, degrees, seed, signature=None):
    img = raster.render_page(src, page, SCAN_DPI, tmp, stem)
    if signature:
        x_pt, y_pt = signature
        scale = SCAN_DPI / 72.0
        raster.draw_signature(img, int(x_pt * scale), int((pdf.PAGE_H - y_pt) * scale),
                              scale * 0.55, seed)
    img = raster.rotate(img, degrees, tmp, stem)
    return raster.degrade(img, seed)


def signature_spot(layout, label):
    for page in layout.pages:
        for bold, size, x, y, text in page:
            if text == label:
                return x + pdf.text_width(label, layout.regular, size) + 14, y + 2
    raise KeyError(label)


def build(tmp):
    samples = []
    _, s = text_pdf("discharge_summary.pdf", clinical.DISCHARGE, clinical.DISCHARGE_INFO, "sans",
                    "Northbridge Regional Hospital \u2022 Eleanor M. Hartwell \u2022 MRN123",
                    size=10, margin=54)
    samples.append(s)
    _, s = text_pdf("lab_report.pdf", clinical.LAB, clinical.LAB_INFO, "sans",
                    "Clinical Laboratory \u2022 MRN123", size=10, margin=54)
    samples.append(s)
    _, s = text_pdf("retention_policy.pdf", legal.POLICY, legal.POLICY_INFO, "serif",
                    "Policy ISP-07 v3.2")
    samples.append(s)
    _, s = text_pdf("services_contract.pdf", legal.CONTRACT, legal.CONTRACT_INFO, "serif",
                    "Contract NRH-2023-114 \u2022 Confidential")
    samples.append(s)
    _, s = text_pdf("wire_transfer_emails.pdf", legal.EMAIL, legal.EMAIL_INFO, "sans",
                    "Compliance case COMP-2024-031")
    samples.append(s)

    # (a) image-only PDF of a scanned referral letter.
    layout, src = scan_source(clinical.REFERRAL, tmp, "referral")
    img = scan(src, 1, tmp, "referral", 0.45, 101)
    info = {"Title": "Referral letter - Eleanor Hartwell (scan)",
            "Author": "Harbourview Family Practice", "Subject": "Scanned referral letter",
            "Creator": "Simulated flatbed scanner", "Producer": PRODUCER,
            "CreationDate": "D:20240221083000Z", "ModDate": "D:20240221083000Z"}
    with open(os.path.join(DOCS, "referral_letter_scan.pdf"), "wb") as f:
        f.write(pdf.write_image_pdf(img.width, img.height, SCAN_DPI,
                                    raster.png_filtered_rows(img), info))
    samples.append(Sample("docs/referral_letter_scan.pdf", info["Title"], "application/pdf",
                          layout.page_texts, extraction="ocr", embedded_title=info["Title"],
                          author=info["Author"], subject=info["Subject"],
                          created=_pdf_date_iso(info["CreationDate"])))

    # (b) PNG of a signed consent form.
    layout, src = scan_source(clinical.CONSENT, tmp, "consent")
    img = scan(src, 1, tmp, "consent", -0.6, 202,
               signature=signature_spot(layout, "Patient signature:"))
    raster.write_png(img, os.path.join(DOCS, "consent_form_scan.png"), SCAN_DPI)
    samples.append(Sample("docs/consent_form_scan.png", "Consent form (signed scan)",
                          "image/png", layout.page_texts, extraction="ocr",
                          embedded_title=None))

    # (c) two-page TIFF of a records release authorisation.
    layout, src = scan_source(clinical.RELEASE_P1 + [("break",)] + clinical.RELEASE_P2,
                              tmp, "release")
    p1 = scan(src, 1, tmp, "release1", 0.3, 303)
    p2 = scan(src, 2, tmp, "release2", -0.4, 304,
              signature=signature_spot(layout, "Signature of patient:"))
    raster.write_tiff([p1, p2], os.path.join(DOCS, "records_release_scan.tiff"), SCAN_DPI,
                      tmp, "release")
    samples.append(Sample("docs/records_release_scan.tiff",
                          "Authorization for Release of Medical Records (scan)", "image/tiff",
                          layout.page_texts, extraction="ocr", embedded_title=None))

    with open(os.path.join(DOCS, "meeting_notes.txt"), "w", encoding="utf-8") as f:
        f.write(legal.MEETING_NOTES)
    samples.append(Sample("docs/meeting_notes.txt",
                          "Records Management Steering Group - meeting notes", "text/plain",
                          [legal.MEETING_NOTES], extraction="plain_text", embedded_title=None))
    with open(os.path.join(DOCS, "scanning_procedure.md"), "w", encoding="utf-8") as f:
        f.write(legal.PROCEDURE_MD)
    samples.append(Sample("docs/scanning_procedure.md",
                          "Procedure: Preparing Paper Records for Scanning", "text/markdown",
                          [legal.PROCEDURE_MD], extraction="plain_text",
                          embedded_title="Procedure: Preparing Paper Records for Scanning"))
    return samples


def build_bad():
    with open(os.path.join(DOCS, "services_contract.pdf"), "rb") as f:
        good = f.read()
    with open(os.path.join(BAD, "truncated.pdf"), "wb") as f:
        f.write(good[:len(good) // 2])
    rng = random.Random(404)
    noise = bytes(rng.randrange(256) for _ in range(4096))
    # Start with bytes no sniffer maps to a known type (not %PDF, PNG, TIFF, ZIP, ...).
    with open(os.path.join(BAD, "unsupported.bin"), "wb") as f:
        f.write(b"\x00\x9c\xf1\x07" + noise)
    return [
        {"path": "bad/truncated.pdf", "media_type": "application/pdf",
         "expect": "corruption",
         "note": "first half of docs/services_contract.pdf: header intact, no xref or trailer"},
        {"path": "bad/unsupported.bin", "media_type": "application/octet-stream",
         "expect": "unsupported", "note": "4100 pseudo-random bytes, no known signature"},
    ]


if __name__ == "__main__":
    for d in (DOCS, BAD):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    with tempfile.TemporaryDirectory(prefix="archivist-samples-") as tmp:
        samples = build(tmp)
    bad = build_bad()
    write_ground_truth(samples, bad, os.path.join(HERE, "ground_truth.json"))
    total = sum(os.path.getsize(os.path.join(r, n)) for r, _, ns in os.walk(HERE) for n in ns
                if "__pycache__" not in r)
    print("wrote %d samples + %d bad inputs; samples/ is %.0f KB" % (len(samples), len(bad),
                                                                     total / 1024))
