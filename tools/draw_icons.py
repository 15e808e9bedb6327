"""Draw the app icons (PNG) once from the favicon's hexagon; the output is committed.

Run: .venv/bin/python tools/draw_icons.py   (writes webapp/static/icons/veerkracht-*.png)
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "webapp" / "static" / "icons"
BRAND, WHITE = (0, 90, 140), (255, 255, 255)
# The favicon's two polygons on a 32-unit grid (webapp/static/favicon.svg).
OUTER = [(16, 2), (28, 9), (28, 23), (16, 30), (4, 23), (4, 9)]
INNER = [(16, 9), (22, 13), (21, 21), (16, 24), (10, 20), (11, 12)]


def draw(size: int, maskable: bool = False) -> Image.Image:
    """The hexagon filling the icon; a maskable icon keeps it inside the central 80 % safe zone."""
    scale = 4  # draw large and shrink: smooth edges without anti-aliasing support in ImageDraw
    big = size * scale
    image = Image.new("RGBA", (big, big), BRAND + (255,) if maskable else (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    unit = big / 32 * (0.7 if maskable else 1.0)
    offset = (big - 32 * unit) / 2

    def place(points):
        return [(offset + x * unit, offset + y * unit) for x, y in points]

    pen.polygon(place(OUTER), fill=BRAND + (255,))
    pen.polygon(place(INNER), fill=WHITE + (255,))
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size).save(OUT / f"veerkracht-{size}.png", optimize=True)
    draw(512, maskable=True).save(OUT / "veerkracht-maskable-512.png", optimize=True)
    print("\n".join(sorted(p.name for p in OUT.glob("*.png"))))


if __name__ == "__main__":
    main()
