#!/usr/bin/python3
"""Writes the small image fixtures and Resizer golden arrays used by org.vit4j.image tests.

Run from any directory with Debian's python (it has PIL and numpy):

    /usr/bin/python3 src/test/resources/images/make_fixtures.py

Every file is deterministic (fixed colours, fixed seed) and a few KB at most. The Java tests
state the expected pixel values by hand; the asserts below only check that PIL agrees with
those facts, so a fixture and its test cannot silently drift apart.
"""
import os
import struct
import zlib

import numpy as np
from PIL import Image, ImageOps

OUT = os.path.dirname(os.path.abspath(__file__))

RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)
YELLOW = (255, 255, 0)


def path(name):
    return os.path.join(OUT, name)


def quadrants(width=32, height=16):
    """RGB picture whose quadrants are red (top-left), green (top-right), blue (bottom-left),
    yellow (bottom-right). Quadrant edges fall on 8-pixel JPEG block boundaries."""
    a = np.zeros((height, width, 3), dtype=np.uint8)
    h2, w2 = height // 2, width // 2
    a[:h2, :w2] = RED
    a[:h2, w2:] = GREEN
    a[h2:, :w2] = BLUE
    a[h2:, w2:] = YELLOW
    return Image.fromarray(a, "RGB")


def write_png_raw(name, width, height, bit_depth, colour_type, rows):
    """Minimal PNG writer (PIL cannot write 16-bit RGB): rows are already-serialised scanlines."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + r for r in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    with open(path(name), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw))
                + chunk(b"IEND", b""))


def corners(img):
    w, h = img.size
    return [img.getpixel((2, 2)), img.getpixel((w - 3, 2)),
            img.getpixel((2, h - 3)), img.getpixel((w - 3, h - 3))]


def near(a, b, tol=12):
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def main():
    # Plain RGB quadrants, lossless, as PNG, BMP and WebP (lossless keeps the colours exact).
    q = quadrants()
    q.save(path("quadrants.png"))
    q.save(path("quadrants.bmp"))
    q.save(path("quadrants.webp"), lossless=True)
    assert Image.open(path("quadrants.webp")).convert("RGB").getpixel((0, 0)) == RED

    # EXIF orientations 1..8 on the quadrant picture (TL red, TR green, BL blue, BR yellow).
    # Expected corners after exif_transpose, in order TL, TR, BL, BR; the Java test states the same table.
    expected = {
        1: [RED, GREEN, BLUE, YELLOW],
        2: [GREEN, RED, YELLOW, BLUE],
        3: [YELLOW, BLUE, GREEN, RED],
        4: [BLUE, YELLOW, RED, GREEN],
        5: [RED, BLUE, GREEN, YELLOW],
        6: [BLUE, RED, YELLOW, GREEN],
        7: [YELLOW, GREEN, BLUE, RED],
        8: [GREEN, YELLOW, RED, BLUE],
    }
    for orientation in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = orientation
        name = "exif_orientation_%d.jpg" % orientation
        q.save(path(name), "JPEG", quality=95, exif=exif.tobytes())
        upright = ImageOps.exif_transpose(Image.open(path(name)))
        assert all(near(c, e) for c, e in zip(corners(upright), expected[orientation])), orientation
        assert upright.size == ((32, 16) if orientation <= 4 else (16, 32)), orientation

    # CMYK JPEG (PIL writes Adobe APP14, inverted CMYK): quadrants white, black, cyan, red (M+Y).
    cmyk = np.zeros((16, 32, 4), dtype=np.uint8)
    cmyk[:8, 16:] = (0, 0, 0, 255)
    cmyk[8:, :16] = (255, 0, 0, 0)
    cmyk[8:, 16:] = (0, 255, 255, 0)
    Image.fromarray(cmyk, "CMYK").save(path("cmyk.jpg"), quality=95)

    # 16-bit grayscale PNG and TIFF: one row of known values (2 px each, 8 columns by 2 rows).
    values16 = np.array([0, 257, 32896, 65535], dtype=np.uint16)  # -> 0, 1, 128, 255 in 8 bits
    g16 = np.repeat(np.repeat(values16[None, :], 2, axis=1), 2, axis=0)
    Image.fromarray(g16, "I;16").save(path("gray16.png"))
    Image.fromarray(g16, "I;16").save(path("gray16.tif"))

    # 16-bit RGB PNG (hand-written): 2x1 pixels (65535, 32896, 0) and (257, 0, 65535).
    row = struct.pack(">6H", 65535, 32896, 0, 257, 0, 65535)
    write_png_raw("rgb16.png", 2, 1, 16, 2, [row])

    # Palette PNG with tRNS: index 0 transparent black, 1 half-transparent red (alpha 128), 2 opaque blue.
    p = Image.new("P", (3, 1))
    p.putpalette([0, 0, 0, 255, 0, 0, 0, 0, 255] + [0] * (256 - 3) * 3)
    p.putdata([0, 1, 2])
    p.save(path("palette_trns.png"), transparency=bytes([0, 128, 255]))
    assert Image.open(path("palette_trns.png")).convert("RGBA").getpixel((1, 0)) == (255, 0, 0, 128)

    # Gray + alpha PNG: (0, 255) opaque black, (0, 0) transparent, (200, 51) 20 % opaque light gray.
    la = Image.new("LA", (3, 1))
    la.putdata([(0, 255), (0, 0), (200, 51)])
    la.save(path("gray_alpha.png"))

    # Multi-page TIFF: pages red, green, blue (only the first may be read).
    pages = [Image.new("RGB", (8, 4), c) for c in (RED, GREEN, BLUE)]
    pages[0].save(path("multipage.tif"), save_all=True, append_images=pages[1:])
    assert Image.open(path("multipage.tif")).n_frames == 3

    # Two-frame GIF: frame 0 green, frame 1 blue.
    frames = [Image.new("RGB", (8, 4), c).convert("P") for c in (GREEN, BLUE)]
    frames[0].save(path("two_frames.gif"), save_all=True, append_images=frames[1:], duration=100, loop=0)

    # Noise pictures, big enough that cutting them in half leaves the header and loses pixel data.
    rng = np.random.default_rng(1234)
    noise = Image.fromarray(rng.integers(0, 256, size=(48, 48, 3), dtype=np.uint8), "RGB")
    noise.save(path("noise.png"))
    noise.save(path("noise.jpg"), quality=90)

    # Resizer golden arrays: PIL's float-mode ('F') resample of a random 13x17 array.
    src = rng.random((13, 17), dtype=np.float32)
    np.save(path("resize_input_13x17.npy"), src)
    f_img = Image.fromarray(src, "F")
    sizes = [(7, 5), (13, 17), (26, 34), (5, 40), (31, 9), (1, 1)]
    for name, flag in (("bilinear", Image.BILINEAR), ("bicubic", Image.BICUBIC)):
        for (h, w) in sizes:
            out = np.asarray(f_img.resize((w, h), flag), dtype=np.float32)
            assert out.shape == (h, w)
            np.save(path("resize_%s_%dx%d.npy" % (name, h, w)), out)
    # A float64 copy so the .npy reader's '<f8' branch is tested too.
    np.save(path("resize_input_13x17_f8.npy"), src.astype(np.float64))


if __name__ == "__main__":
    main()
