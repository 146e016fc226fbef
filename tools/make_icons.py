"""Draw the app icon (a low sun over a river, in the app's blue) as PNGs, pure Python.

Run once after changing the design; the PNGs are committed:
    python tools/make_icons.py
"""
import math
import struct
import zlib
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"
BLUE = (61, 90, 128)       # --accent
SUN = (246, 231, 193)
RIVER = (158, 197, 254)    # the dark theme's accent
SAMPLES = 3                # supersampling per axis, for smooth edges


def colour_at(x: float, y: float, scale: float, rounded: bool):
    """The colour of one point of a unit square (0..1), or None outside the shape."""
    if rounded:
        r = 0.18
        cx, cy = min(max(x, r), 1 - r), min(max(y, r), 1 - r)
        if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
            return None
    # Maskable icons keep the drawing inside the central safe circle (radius 0.4).
    u, v = (x - 0.5) / scale + 0.5, (y - 0.5) / scale + 0.5
    sun = (u - 0.5) ** 2 + (v - 0.46) ** 2 <= 0.27 ** 2
    for k, offset in enumerate((0.58, 0.70)):
        wave = offset + 0.025 * math.sin((u - 0.1 * k) * 2 * math.pi * 3)
        if abs(v - wave) < 0.032 and 0.16 < u < 0.84:
            return RIVER if not sun else BLUE
    return SUN if sun else BLUE


def draw(size: int, *, maskable: bool) -> bytes:
    rows = []
    scale = 0.72 if maskable else 1.0
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    c = colour_at((px + (sx + .5) / SAMPLES) / size, (py + (sy + .5) / SAMPLES) / size,
                                  scale, rounded=not maskable)
                    if c:
                        acc[0] += c[0]; acc[1] += c[1]; acc[2] += c[2]; acc[3] += 1
            n = acc[3]
            row += bytes([acc[0] // n, acc[1] // n, acc[2] // n, 255 * n // SAMPLES ** 2] if n else [0, 0, 0, 0])
        rows.append(bytes(row))
    return png(size, b"".join(rows))


def png(size: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


if __name__ == "__main__":
    ICONS.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in [("icon-192.png", 192, False), ("icon-512.png", 512, False),
                                 ("maskable-512.png", 512, True), ("apple-touch-icon.png", 180, True)]:
        (ICONS / name).write_bytes(draw(size, maskable=maskable))
        print(name)
