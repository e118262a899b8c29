#!/usr/bin/env python3
"""Draws the demo catalog's product images and the "no image" placeholder.

Standard library only (zlib + struct; Pillow is not installed): each image is a flat colour
with one simple shape and the product's name in a 5x7 pixel font, so every product is easy to
tell apart in the shop and in the admin. The output is deterministic (no timestamps), so
running it again leaves the committed files unchanged.

    python3 deploy/demo/make_images.py

writes deploy/demo/images/<product>.png (used by `shop loaddemo`) and Public/img/no_image.png
(shown for products without an image).
"""
import struct
import zlib
from pathlib import Path

WIDTH, HEIGHT = 400, 300
HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

# 5x7 glyphs, one 5-bit row each, top to bottom.
FONT = {
    "A": (0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11), "B": (0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E),
    "C": (0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E), "D": (0x1E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1E),
    "E": (0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F), "F": (0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10),
    "G": (0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F), "H": (0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11),
    "I": (0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E), "J": (0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C),
    "K": (0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11), "L": (0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F),
    "M": (0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11), "N": (0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11),
    "O": (0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E), "P": (0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10),
    "Q": (0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D), "R": (0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11),
    "S": (0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E), "T": (0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04),
    "U": (0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E), "V": (0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04),
    "W": (0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A), "X": (0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11),
    "Y": (0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04), "Z": (0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F),
    "-": (0, 0, 0, 0x1F, 0, 0, 0), " ": (0,) * 7,
}


def hex_colour(value):
    return bytes.fromhex(value.lstrip("#"))


class Canvas:
    def __init__(self, background):
        self.pixels = bytearray(hex_colour(background) * (WIDTH * HEIGHT))

    def fill(self, inside, colour, box=(0, 0, WIDTH, HEIGHT)):
        """Paints every pixel of box (x0, y0, x1, y1) for which inside(x, y) holds."""
        rgb = hex_colour(colour)
        x0, y0, x1, y1 = (max(0, box[0]), max(0, box[1]), min(WIDTH, box[2]), min(HEIGHT, box[3]))
        for y in range(y0, y1):
            row = y * WIDTH
            for x in range(x0, x1):
                if inside(x, y):
                    i = (row + x) * 3
                    self.pixels[i:i + 3] = rgb

    def ellipse(self, cx, cy, rx, ry, colour):
        self.fill(lambda x, y: ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1, colour,
                  (cx - rx, cy - ry, cx + rx + 1, cy + ry + 1))

    def rect(self, x0, y0, x1, y1, colour, radius=0):
        def inside(x, y):
            # Outside the corner squares it is a plain rectangle; inside them, a quarter circle.
            dx = max(x0 + radius - x, 0, x - (x1 - radius))
            dy = max(y0 + radius - y, 0, y - (y1 - radius))
            return dx * dx + dy * dy <= radius * radius
        self.fill(inside, colour, (x0, y0, x1 + 1, y1 + 1))

    def polygon(self, points, colour):
        """A convex polygon, its points in clockwise order on screen."""
        edges = list(zip(points, points[1:] + points[:1]))

        def inside(x, y):
            return all((bx - ax) * (y - ay) - (by - ay) * (x - ax) >= 0 for (ax, ay), (bx, by) in edges)
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        self.fill(inside, colour, (min(xs), min(ys), max(xs) + 1, max(ys) + 1))

    def text(self, message, colour, y, scale=4):
        advance = 6 * scale
        x = (WIDTH - len(message) * advance + scale) // 2
        for char in message:
            for row, bits in enumerate(FONT[char]):
                for col in range(5):
                    if bits & (0x10 >> col):
                        px, py = x + col * scale, y + row * scale
                        self.rect(px, py, px + scale - 1, py + scale - 1, colour)
            x += advance

    def png(self):
        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        stride = WIDTH * 3
        raw = b"".join(b"\x00" + bytes(self.pixels[y * stride:(y + 1) * stride]) for y in range(HEIGHT))
        header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)   # 8-bit RGB
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


# ---- shapes: each draws the product's motif in the upper part of the canvas ------------------

def leaf(c, ink):
    c.ellipse(200, 120, 110, 55, ink)
    c.rect(95, 118, 305, 122, "#ffffff")          # the midrib


def disc(c, ink):
    c.ellipse(200, 120, 80, 80, ink)


def ring(c, ink, background):
    c.ellipse(200, 120, 85, 85, ink)
    c.ellipse(200, 120, 50, 50, background)


def square(c, ink):
    c.rect(120, 40, 280, 200, ink, radius=24)


def bean(c, ink, background, count=1):
    spacing = 130
    first = 200 - (count - 1) * spacing // 2
    for i in range(count):
        cx = first + i * spacing
        c.ellipse(cx, 120, 55, 80, ink)
        c.rect(cx - 5, 55, cx + 5, 185, background, radius=5)   # the bean's cleft


def bean_outline(c, ink, background):
    c.ellipse(200, 120, 60, 85, ink)
    c.ellipse(200, 120, 45, 70, background)
    c.rect(195, 60, 205, 180, ink, radius=5)


def cup(c, ink, background, height=110, width=150):
    top, left = 60, 200 - width // 2
    c.ellipse(left + width, top + height // 2, 40, 35, ink)           # handle
    c.ellipse(left + width, top + height // 2, 22, 18, background)
    c.rect(left, top, left + width, top + height, ink, radius=20)
    c.rect(left - 30, top + height + 15, left + width + 30, top + height + 25, ink, radius=5)  # saucer


def travel_mug(c, ink):
    c.rect(150, 30, 250, 52, ink, radius=8)                           # lid
    c.polygon([(155, 58), (245, 58), (232, 205), (168, 205)], ink)


def teapot(c, ink, background):
    c.ellipse(200, 135, 95, 70, ink)
    c.polygon([(280, 120), (345, 75), (355, 85), (295, 150)], ink)    # spout
    c.ellipse(105, 135, 35, 40, ink)                                  # handle
    c.ellipse(105, 135, 18, 24, background)
    c.ellipse(200, 62, 18, 12, ink)                                   # knob


def french_press(c, ink, background):
    c.rect(196, 18, 204, 60, ink)                                     # plunger rod
    c.ellipse(200, 18, 16, 8, ink)
    c.rect(140, 60, 260, 205, ink, radius=6)
    c.rect(152, 110, 248, 195, background, radius=4)                  # the glass
    c.rect(152, 140, 248, 195, "#5d4037", radius=4)                   # the coffee


def grinder(c, ink, background):
    c.rect(185, 20, 215, 40, ink, radius=6)                           # knob
    c.rect(198, 40, 202, 70, ink)
    c.polygon([(140, 70), (260, 70), (225, 120), (175, 120)], ink)    # hopper
    c.rect(165, 120, 235, 210, ink, radius=10)
    c.rect(185, 165, 215, 195, background, radius=4)                  # drawer


PRODUCTS = {
    "tea-sencha": ("#7fb069", lambda c, ink, bg: leaf(c, ink), "#2d5016"),
    "tea-earl-grey": ("#5b6c8f", lambda c, ink, bg: disc(c, ink), "#dfe7f2"),
    "tea-rooibos": ("#b5533c", lambda c, ink, bg: ring(c, ink, bg), "#f6d5b8"),
    "tea-matcha": ("#9bc53d", lambda c, ink, bg: square(c, ink), "#3f5e1c"),
    "coffee-ethiopia": ("#d9a066", lambda c, ink, bg: bean(c, ink, bg), "#5b3a1e"),
    "coffee-colombia": ("#a0522d", lambda c, ink, bg: bean(c, ink, bg, count=2), "#f3dcc3"),
    "coffee-espresso": ("#3e2723", lambda c, ink, bg: cup(c, ink, bg, height=80, width=110), "#d7ccc8"),
    "coffee-decaf": ("#c8a27a", lambda c, ink, bg: bean_outline(c, ink, bg), "#4e342e"),
    "cups-porcelain": ("#a7c7e7", lambda c, ink, bg: cup(c, ink, bg), "#ffffff"),
    "cups-travel-mug": ("#2a9d8f", lambda c, ink, bg: travel_mug(c, ink), "#e9f5f3"),
    "cups-teapot": ("#e9c46a", lambda c, ink, bg: teapot(c, ink, bg), "#7a4e1d"),
    "cups-french-press": ("#264653", lambda c, ink, bg: french_press(c, ink, bg), "#cfe3ea"),
    "cups-grinder": ("#6d597a", lambda c, ink, bg: grinder(c, ink, bg), "#efe6f3"),
}


def label(name):
    """tea-earl-grey -> EARL GREY: the category is the first word."""
    return name.split("-", 1)[1].replace("-", " ").upper()


def product_image(name, background, draw, ink):
    canvas = Canvas(background)
    draw(canvas, ink, background)
    canvas.text(label(name), ink, y=246)
    return canvas.png()


def placeholder_image():
    canvas = Canvas("#e0e0e0")
    canvas.rect(150, 50, 250, 150, "#bdbdbd", radius=12)              # a picture frame
    canvas.rect(162, 62, 238, 138, "#e0e0e0", radius=6)
    canvas.polygon([(170, 130), (195, 95), (215, 130)], "#bdbdbd")    # a mountain
    canvas.ellipse(220, 82, 8, 8, "#bdbdbd")                          # the sun
    canvas.text("NO IMAGE", "#9e9e9e", y=200)
    return canvas.png()


def main():
    out = HERE / "images"
    out.mkdir(exist_ok=True)
    total = 0
    for name, (background, draw, ink) in PRODUCTS.items():
        data = product_image(name, background, draw, ink)
        (out / f"{name}.png").write_bytes(data)
        total += len(data)
    placeholder = REPO / "Public" / "img" / "no_image.png"
    placeholder.parent.mkdir(parents=True, exist_ok=True)
    data = placeholder_image()
    placeholder.write_bytes(data)
    total += len(data)
    print(f"{len(PRODUCTS)} product images in {out}, placeholder {placeholder}: {total} bytes in all")


if __name__ == "__main__":
    main()
