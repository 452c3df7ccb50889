"""A minimal PDF 1.4 writer: base-14 fonts with WinAnsiEncoding, a simple block
layout engine (headings, paragraphs, list items, tables) and image-only pages.

Standard library only. Output is deterministic: fixed dates come from the
caller, the file /ID is a hash of the content, and zlib runs at a fixed level.
"""

import hashlib
import zlib

PAGE_W, PAGE_H = 612.0, 792.0  # US Letter, points

# Advance widths (1/1000 em) of ASCII 32..126. These are the standard base-14
# metrics; the values were read from the metric-compatible URW Nimbus AFM files.
_W = {
    "Helvetica": [
        278, 278, 355, 556, 556, 889, 667, 222, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
        222, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584],
    "Helvetica-Bold": [
        278, 333, 474, 556, 556, 889, 722, 278, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
        975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
        278, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
        611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584],
    "Times-Roman": [
        250, 333, 408, 500, 500, 833, 778, 333, 333, 333, 500, 564, 250, 333, 250, 278,
        500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444,
        921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722,
        556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500,
        333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500,
        500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541],
    "Times-Bold": [
        250, 333, 555, 500, 500, 1000, 833, 333, 333, 333, 500, 570, 250, 333, 250, 278,
        500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 333, 333, 570, 570, 570, 500,
        930, 722, 667, 722, 722, 667, 611, 778, 722, 389, 500, 778, 667, 944, 722, 778,
        611, 778, 722, 556, 667, 722, 722, 1000, 722, 722, 667, 333, 278, 333, 581, 500,
        333, 500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500,
        556, 556, 444, 389, 333, 556, 500, 722, 500, 500, 444, 394, 220, 394, 520],
}
# Non-ASCII characters the sample texts use, with a stand-in ASCII width.
_STAND_IN = {"\u00b5": "u", "\u00e9": "e", "\u00eb": "e", "\u00b0": "o", "\u2013": "n",
             "\u2014": "M", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a7": "S",
             "\u2022": "o", "\u00b1": "+", "\u2265": "=", "\u2264": "="}

FAMILIES = {"sans": ("Helvetica", "Helvetica-Bold"), "serif": ("Times-Roman", "Times-Bold")}


def text_width(text, font, size):
    table = _W[font]
    total = 0
    for ch in text:
        ch = _STAND_IN.get(ch, ch)
        code = ord(ch)
        total += table[code - 32] if 32 <= code <= 126 else 600
    return total * size / 1000.0


def _pdf_string(text):
    raw = text.encode("cp1252")  # WinAnsiEncoding is cp1252 for every glyph used here
    out = bytearray(b"(")
    for b in raw:
        if b in (0x28, 0x29, 0x5C):
            out += b"\\" + bytes([b])
        elif b < 32 or b > 126:
            out += b"\\%03o" % b
        else:
            out.append(b)
    out += b")"
    return bytes(out)


def wrap(text, font, size, width):
    words, lines, cur = text.split(), [], ""
    for w in words:
        cand = w if not cur else cur + " " + w
        if text_width(cand, font, size) <= width or not cur:
            cur = cand
        else:
            lines.append(cur)
            cur = w
    if cur:
        lines.append(cur)
    return lines


class Layout:
    """Flows blocks onto pages. Each page is a list of (bold, size, x, y, text).

    Blocks: ("title", s) ("h", s) ("h2", s) ("p", s) ("li", label, s) ("kv", key, value)
    ("table", col_xs, header, rows) ("space", pts) ("break",) ("mono", s) for a line kept as is.
    """

    def __init__(self, family="sans", size=10.5, margin=72.0, footer=None):
        self.regular, self.bold = FAMILIES[family]
        self.size, self.margin, self.footer = size, margin, footer
        self.pages, self.page_texts = [], []
        self._new_page()

    def _new_page(self):
        self.pages.append([])
        self.page_texts.append([])
        self.y = PAGE_H - self.margin

    def _need(self, h):
        if self.y - h < self.margin + 18:  # keep room above the footer
            self._new_page()

    def _emit(self, bold, size, x, text):
        self.pages[-1].append((bold, size, x, self.y, text))
        self.page_texts[-1].append(text)

    def _lines(self, text, bold, size, x, width, lead):
        font = self.bold if bold else self.regular
        for line in wrap(text, font, size, width):
            self._need(lead)
            self.y -= lead
            self._emit(bold, size, x, line)

    def add(self, block):
        kind, m, s = block[0], self.margin, self.size
        width = PAGE_W - 2 * m
        if kind == "title":
            self._lines(block[1], True, s + 6, m, width, (s + 6) * 1.3)
            self.y -= 6
        elif kind == "subtitle":
            self._lines(block[1], False, s, m, width, s * 1.35)
            self.y -= 4
        elif kind in ("h", "h2"):
            size = s + 2.5 if kind == "h" else s + 0.5
            self._need(size * 1.4 + s * 2.8 + 8)  # never strand a heading at a page bottom
            self.y -= 8 if kind == "h" else 4
            self._lines(block[1], True, size, m, width, size * 1.4)
            self.y -= 2
        elif kind == "p":
            self._lines(block[1], False, s, m, width, s * 1.38)
            self.y -= s * 0.55
        elif kind == "li":
            label, text = block[1], block[2]
            indent = max(18.0, text_width(label, self.regular, s) + 6)
            lines = wrap(text, self.regular, s, width - indent)
            for i, line in enumerate(lines):
                self._need(s * 1.38)
                self.y -= s * 1.38
                if i == 0:
                    self._emit(False, s, m, label)
                self._emit(False, s, m + indent, line)
            self.y -= s * 0.25
        elif kind == "kv":
            key, value = block[1], block[2]
            self._need(s * 1.38)
            self.y -= s * 1.38
            self._emit(True, s, m, key)
            # Right after the key, so text extraction keeps "Key: value" on one line.
            self._emit(False, s, m + text_width(key + " ", self.bold, s), value)
        elif kind == "mono":
            self._need(s * 1.38)
            self.y -= s * 1.38
            self._emit(False, s, m, block[1])
        elif kind == "table":
            col_xs, header, rows = block[1], block[2], block[3]
            self._need(s * 1.5 * 3)
            for r, row in enumerate([header] + rows):
                self._need(s * 1.5)
                self.y -= s * 1.5
                for x, cell in zip(col_xs, row):
                    if cell:
                        self._emit(r == 0, s, m + x, cell)
            self.y -= s * 0.6
        elif kind == "space":
            self.y -= block[1]
        elif kind == "break":
            self._new_page()
        else:
            raise ValueError("unknown block " + kind)

    def finish(self):
        n = len(self.pages)
        if self.footer:
            for i, page in enumerate(self.pages):
                text = "%s    Page %d of %d" % (self.footer, i + 1, n)
                x = PAGE_W - self.margin - text_width(text, self.regular, 8)
                page.append((False, 8, x, self.margin - 10, text))
                self.page_texts[i].append(text)
        return self.pages


def _content_stream(page):
    out = []
    for bold, size, x, y, text in page:
        out.append(b"BT /F%d %.1f Tf 1 0 0 1 %.2f %.2f Tm %s Tj ET"
                   % (2 if bold else 1, size, x, y, _pdf_string(text)))
    return b"\n".join(out) + b"\n"


def _info_dict(info):
    parts = [b"<<"]
    for key in ("Title", "Author", "Subject", "Keywords", "Creator", "Producer",
                "CreationDate", "ModDate"):
        if info.get(key):
            parts.append(b"/" + key.encode() + b" " + _pdf_string(info[key]))
    parts.append(b">>")
    return b" ".join(parts)


def _stream(dict_body, data):
    return (b"<< " + dict_body + b" /Length %d >>\nstream\n" % len(data) + data
            + b"\nendstream")


def _serialize(objects, info_num):
    """objects: list of bytes, object n+1 is objects[n]; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % (i + 1) + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    file_id = hashlib.md5(bytes(out)).hexdigest().encode()
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R /ID [<%s> <%s>] >>\n"
            % (len(objects) + 1, info_num, file_id, file_id))
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def write_text_pdf(pages, family, info):
    regular, bold = FAMILIES[family]
    n = len(pages)
    # 1 catalog, 2 pages, 3 info, 4-5 fonts, then (page, content) pairs.
    kids = b" ".join(b"%d 0 R" % (6 + 2 * i) for i in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n),
               _info_dict(info)]
    for name in (regular, bold):
        objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /%s "
                       b"/Encoding /WinAnsiEncoding >>" % name.encode())
    for i, page in enumerate(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       b"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> "
                       b"/Contents %d 0 R >>" % (7 + 2 * i))
        objects.append(_stream(b"/Filter /FlateDecode",
                               zlib.compress(_content_stream(page), 9)))
    return _serialize(objects, 3)


def write_image_pdf(width_px, height_px, dpi, png_filtered_rows, info):
    """One page holding one 8-bit grayscale image and no text at all.

    png_filtered_rows: the zlib-compressed, PNG-filtered scanlines (as in a PNG IDAT),
    which PDF reads directly through the FlateDecode PNG predictor.
    """
    w_pt, h_pt = width_px * 72.0 / dpi, height_px * 72.0 / dpi
    content = b"q %.2f 0 0 %.2f 0 0 cm /Im1 Do Q\n" % (w_pt, h_pt)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
               _info_dict(info),
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] "
               b"/Resources << /XObject << /Im1 6 0 R >> >> /Contents 5 0 R >>" % (w_pt, h_pt),
               _stream(b"/Filter /FlateDecode", zlib.compress(content, 9)),
               _stream(b"/Type /XObject /Subtype /Image /Width %d /Height %d "
                       b"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode "
                       b"/DecodeParms << /Predictor 15 /Colors 1 /BitsPerComponent 8 "
                       b"/Columns %d >>" % (width_px, height_px, width_px),
                       png_filtered_rows)]
    return _serialize(objects, 3)
