#!/usr/bin/env python3
"""Checks samples/ground_truth.json against what real tools extract.

    python3 samples/verify.py

Text PDFs go through pdftotext (one page at a time) and pdfinfo; scans go
through the tesseract command line (PDF scans rendered at 300 dpi first, as
an OCR pipeline would); text files are read as they are. Every must_contain
phrase must come out on its page, and every query's and question's expected
page must really contain it. Exit status 1 on any miss.
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # keep samples/ free of __pycache__

from generator.truth import contains_phrase, tokens  # noqa: E402

ENV = dict(os.environ, OMP_THREAD_LIMIT="1")


def _run(args):
    return subprocess.run(args, check=True, capture_output=True, env=ENV).stdout.decode("utf-8")


def pdf_text_pages(path, count):
    return [_run(["pdftotext", "-f", str(n), "-l", str(n), "-enc", "UTF-8", path, "-"])
            for n in range(1, count + 1)]


def ocr_pages(path, media_type, count, tmp):
    if media_type == "application/pdf":
        prefix = os.path.join(tmp, "page")
        _run(["pdftoppm", "-r", "300", "-gray", path, prefix])
        images = sorted(os.path.join(tmp, f) for f in os.listdir(tmp) if f.startswith("page"))
        return [_run(["tesseract", img, "-", "--psm", "3"]) for img in images]
    text = _run(["tesseract", path, "-", "--psm", "3"])
    pages = [p for p in text.split("\f") if p.strip()]  # tesseract ends TIFF pages with \f
    return pages if len(pages) == count else [text]


def pdfinfo(path):
    out = {}
    for line in _run(["pdfinfo", "-enc", "UTF-8", path]).splitlines():
        key, _, value = line.partition(":")
        out[key.strip()] = value.strip()
    return out


def main():
    with open(os.path.join(HERE, "ground_truth.json"), encoding="utf-8") as f:
        truth = json.load(f)
    failures, extracted = [], {}
    for entry in truth["files"]:
        path = os.path.join(HERE, entry["path"])
        with open(path, "rb") as f:
            if hashlib.sha256(f.read()).hexdigest() != entry["sha256"]:
                failures.append("%s: sha256 differs from ground truth" % entry["path"])
        kind = entry["extraction"]
        if kind == "text_layer":
            pages = pdf_text_pages(path, entry["page_count"])
        elif kind == "ocr":
            with tempfile.TemporaryDirectory() as tmp:
                pages = ocr_pages(path, entry["media_type"], entry["page_count"], tmp)
        else:
            with open(path, encoding="utf-8") as f:
                pages = [f.read()]
        if entry["media_type"] == "application/pdf":
            info = pdfinfo(path)
            if info.get("Pages") != str(entry["page_count"]):
                failures.append("%s: pdfinfo says %s pages" % (entry["path"], info.get("Pages")))
            if info.get("Title") != entry["embedded_title"]:
                failures.append("%s: pdfinfo Title %r" % (entry["path"], info.get("Title")))
            if kind == "ocr" and pdf_text_pages(path, 1)[0].strip():
                failures.append("%s: a scan must have no text layer" % entry["path"])
        if len(pages) != entry["page_count"]:
            failures.append("%s: extracted %d pages" % (entry["path"], len(pages)))
            continue
        extracted[entry["path"]] = pages
        for page in entry["pages"]:
            for phrase in page["must_contain"]:
                if not contains_phrase(pages[page["number"] - 1], phrase):
                    failures.append("%s p%d: %r not extracted" % (entry["path"], page["number"],
                                                                   phrase))
    for q in truth["queries"]:
        for hit in q["expected"]:
            text = extracted.get(hit["path"], [""] * hit["page"])[hit["page"] - 1]
            ok = (contains_phrase(text, q["query"]) if q["mode"] == "phrase"
                  else set(tokens(q["query"])) <= set(tokens(text)))
            if not ok and hit is q["expected"][0]:
                failures.append("query %r: primary hit %s p%d not extracted" % (
                    q["query"], hit["path"], hit["page"]))
            elif not ok:
                print("note: query %r: %s p%d only matches in the source text, not in what "
                      "the tools extracted" % (q["query"], hit["path"], hit["page"]))
    for q in truth["questions"]:
        hit = q["expected"][0]
        text = extracted[hit["path"]][hit["page"] - 1]
        for phrase in q["answer_contains"]:
            if not contains_phrase(text, phrase):
                failures.append("question %r: %r not extracted" % (q["question"], phrase))
    for bad in truth["bad_inputs"]:
        if bad["path"].endswith(".pdf"):
            r = subprocess.run(["pdfinfo", os.path.join(HERE, bad["path"])], capture_output=True)
            if r.returncode == 0:
                failures.append("%s: pdfinfo accepts it" % bad["path"])
    for f in failures:
        print("FAIL", f)
    print("%d files checked, %d failures" % (len(truth["files"]), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
