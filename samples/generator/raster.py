"""Raster helpers for the scanned samples: render with pdftoppm, make the page
look scanned (slight skew, speckles, uneven ink, a scanner-lid shadow), write
PNG ourselves and multi-page TIFF with ImageMagick.

Every random choice comes from a seeded random.Random, so reruns are identical
as long as the Debian tools produce the same pixels.
"""

import math
import os
import random
import struct
import subprocess
import zlib


class Gray:
    """An 8-bit grayscale image: rows of bytes, top row first."""

    def __init__(self, width, height, pixels):
        self.width, self.height, self.pixels = width, height, bytearray(pixels)

    def row(self, y):
        return self.pixels[y * self.width:(y + 1) * self.width]


def read_pgm(path):
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval; '#' comments allowed
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P5" or fields[3] != b"255":
        raise ValueError("%s: expected an 8-bit binary PGM" % path)
    w, h = int(fields[1]), int(fields[2])
    return Gray(w, h, data[pos + 1:pos + 1 + w * h])


def write_pgm(img, path):
    with open(path, "wb") as f:
        f.write(b"P5\n%d %d\n255\n" % (img.width, img.height))
        f.write(bytes(img.pixels))


def render_page(pdf_path, page, dpi, workdir, stem):
    """pdftoppm one page to an 8-bit grayscale PGM and read it back."""
    prefix = os.path.join(workdir, stem)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-f", str(page), "-l", str(page),
                    "-singlefile", pdf_path, prefix], check=True)
    return read_pgm(prefix + ".pgm")


def rotate(img, degrees, workdir, stem):
    """Skew like a sheet fed a little crooked; the canvas keeps its size."""
    src, dst = os.path.join(workdir, stem + "_in.pgm"), os.path.join(workdir, stem + "_rot.pgm")
    write_pgm(img, src)
    subprocess.run(["convert", src, "-background", "white", "-rotate", "%.3f" % degrees,
                    "-gravity", "center", "-extent", "%dx%d" % (img.width, img.height),
                    "+repage", "-depth", "8", dst], check=True)
    return read_pgm(dst)


def draw_signature(img, x0, y0, scale, seed):
    """A pen scribble: a looping curve along a baseline, three pixels thick."""
    rng = random.Random(seed)
    f1, f2, ph = rng.uniform(0.9, 1.2), rng.uniform(2.1, 2.6), rng.uniform(0, 3.14)
    points = []
    for i in range(700):
        t = i / 20.0  # 35 radians: about a dozen loops
        points.append((6.0 * t + 7.0 * math.sin(t * f2 + ph),
                       -9.0 * math.sin(t * f1) - 4.0 * math.cos(t * f2) + 0.15 * t))
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        steps = int(max(abs(bx - ax), abs(by - ay)) * scale) + 1
        for s in range(steps + 1):
            px = int(x0 + (ax + (bx - ax) * s / steps) * scale)
            py = int(y0 + (ay + (by - ay) * s / steps) * scale)
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    xx, yy = px + dx, py + dy
                    if 0 <= xx < img.width and 0 <= yy < img.height:
                        img.pixels[yy * img.width + xx] = 35


def degrade(img, seed):
    """Paper tone, uneven ink, sparse speckles and a shadow at the left edge.

    Kept light on purpose: Tesseract must still read the text, and white paper
    with few distinct values keeps the files small.
    """
    rng = random.Random(seed)
    px, w, h = img.pixels, img.width, img.height
    # Uneven ink: darken or lighten each dark run of a row by a random amount.
    lut_paper = bytes(min(255, v) if v < 200 else 246 for v in range(256))
    for y in range(h):
        base = y * w
        row = px[base:base + w]
        px[base:base + w] = row.translate(lut_paper)
        if y % 3 == 0:
            shift = rng.randint(-18, 10)
            lut = bytes(max(0, min(199, v + shift)) if v < 200 else v for v in range(256))
        px[base:base + w] = px[base:base + w].translate(lut)
    # Speckles: dust on the glass, one to three pixels each, only on bare paper so
    # they never break a glyph (that would test the scanner, not the OCR).
    for _ in range(w * h // 9000):
        x, y, r = rng.randrange(w - 3), rng.randrange(h - 3), rng.randint(1, 3)
        tone = rng.randint(60, 170)
        if _bare(px, w, h, x, y):
            for dy in range(r):
                for dx in range(r):
                    px[(y + dy) * w + x + dx] = tone
    # A soft shadow along the left edge where the lid did not close.
    for x in range(min(14, w)):
        tone = 120 + x * 9
        for y in range(h):
            if px[y * w + x] > tone:
                px[y * w + x] = tone
    return img


def _bare(px, w, h, x, y, radius=8):
    """True when no ink lies within radius pixels of (x, y)."""
    for yy in range(max(0, y - radius), min(h, y + radius + 4)):
        if min(px[yy * w + max(0, x - radius):yy * w + min(w, x + radius + 4)]) < 200:
            return False
    return True


def png_filtered_rows(img):
    """zlib-compressed PNG scanlines, each row filtered with None, Sub or Up, whichever
    looks most compressible (smallest sum of signed bytes, the usual heuristic)."""
    w, out, prev = img.width, bytearray(), bytes(img.width)

    def cost(buf):
        return sum(b if b < 128 else 256 - b for b in buf)

    for y in range(img.height):
        row = bytes(img.row(y))
        if row == prev:
            out += b"\x02" + bytes(w)
            continue
        sub = bytes([row[0]]) + bytes((row[i] - row[i - 1]) & 255 for i in range(1, w))
        up = bytes((a - b) & 255 for a, b in zip(row, prev))
        best = min(((cost(row), 0, row), (cost(sub), 1, sub), (cost(up), 2, up)))
        out += bytes([best[1]]) + best[2]
        prev = row
    return zlib.compress(bytes(out), 9)


def write_png(img, path, dpi):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ppm = int(round(dpi / 0.0254))
    data = (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", img.width, img.height, 8, 0, 0, 0, 0))
            + chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))
            + chunk(b"IDAT", png_filtered_rows(img))
            + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(data)


def write_tiff(images, path, dpi, workdir, stem):
    """Multi-page TIFF through ImageMagick: Deflate-compressed 8-bit gray, one
    image per page, with no timestamps so reruns are byte-identical."""
    srcs = []
    for i, img in enumerate(images):
        src = os.path.join(workdir, "%s_p%d.pgm" % (stem, i + 1))
        write_pgm(img, src)
        srcs.append(src)
    subprocess.run(["convert"] + srcs + ["-strip", "-units", "PixelsPerInch", "-density",
                                         str(dpi), "-compress", "Zip", "-depth", "8",
                                         "-define", "tiff:predictor=2", path], check=True)
