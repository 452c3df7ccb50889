#!/usr/bin/env python3
"""Builds the ~2,000-document mixed corpus the pipeline benchmark ingests (never committed).

    python3 bench/pipeline_corpus.py OUT_DIR [--shared ../shared/corpora]

Mix (documents): 1,000 born-digital clinical PDFs laid out from mtsamples transcriptions with the
samples' own PDF writer, the corpus PDFs with a real text layer (>= 50 characters per page,
opened cleanly by poppler, <= 50 pages), 209 scans (FUNSD forms, SROIE receipts: OCR), the
project samples, and mtsamples transcriptions as plain text up to 2,000 in all. OUT_DIR/all holds
every file and OUT_DIR/subset200 every tenth (the same mix), for the peak-RSS comparison.
Standard library only; deterministic.
"""

import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "samples", "generator"))
import pdf  # noqa: E402  (the samples' PDF writer)

TOTAL = 2000
N_PDF = 1000


def text_pdfs(shared):
    """Corpus PDFs with a usable text layer, by the survey in pdfs/status.tsv."""
    out = []
    with open(os.path.join(shared, "pdfs", "status.tsv")) as f:
        next(f)
        for line in f:
            c = line.rstrip("\n").split("\t")
            status, pages, chars = c[2], int(c[3] or 0), int(c[10] or 0)
            if status == "ok" and 0 < pages <= 50 and chars / pages >= 50:
                out.append(os.path.join(shared, c[1]))
    return sorted(out)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    shared = os.path.join(HERE, "..", "..", "shared", "corpora")
    if "--shared" in sys.argv:
        shared = sys.argv[sys.argv.index("--shared") + 1]
    root = os.path.join(out, "all")
    shutil.rmtree(out, ignore_errors=True)
    files = []  # (relative name, writer)

    samples = os.path.join(HERE, "..", "samples", "docs")
    for name in sorted(os.listdir(samples)):
        files.append(("samples/" + name, os.path.join(samples, name)))
    for i, path in enumerate(text_pdfs(shared)):
        files.append(("pdf/%04d_%s" % (i, os.path.basename(path)), path))
    funsd = os.path.join(shared, "ocr", "funsd", "training_data", "images")
    for name in sorted(os.listdir(funsd)):
        files.append(("scan/funsd_" + name, os.path.join(funsd, name)))
    sroie = os.path.join(shared, "ocr", "sroie", "img")
    for name in sorted(os.listdir(sroie)):
        files.append(("scan/sroie_" + name, os.path.join(sroie, name)))

    notes = []
    with open(os.path.join(shared, "medical", "mtsamples", "mtsamples.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            if len(r.get("text", "")) > 400:
                notes.append(r)
    made = 0
    for r in notes:
        if len(files) >= TOTAL:
            break
        text = r["text"].replace(",  ", "\n").replace(".,", ".\n")
        if made < N_PDF:
            layout = pdf.Layout(family="serif" if made % 2 else "sans",
                                footer="Transcription %s" % r["id"])
            layout.add(("title", r["title"]))
            layout.add(("subtitle", r["specialty"]))
            for para in text.split("\n"):
                if para.strip():
                    layout.add(("p", "".join(ch if ord(ch) < 127 else " " for ch in para.strip())))
            data = pdf.write_text_pdf(layout.finish(), "serif" if made % 2 else "sans",
                                      {"Title": r["title"], "CreationDate": "D:20240101000000"})
            files.append(("mt_pdf/%s.pdf" % r["id"], data))
            made += 1
        else:
            files.append(("mt_txt/%s.txt" % r["id"], (r["title"] + "\n\n" + text).encode()))

    for i, (rel, src) in enumerate(files):
        for target in ([root] + ([os.path.join(out, "subset200")] if i % 10 == 0 else [])):
            path = os.path.join(target, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if isinstance(src, bytes):
                with open(path, "wb") as f:
                    f.write(src)
            else:
                shutil.copyfile(src, path)
    kinds = {}
    for rel, _ in files:
        kinds[rel.split("/")[0]] = kinds.get(rel.split("/")[0], 0) + 1
    print(json.dumps({"documents": len(files), "by_kind": kinds, "dir": root}))


if __name__ == "__main__":
    main()
