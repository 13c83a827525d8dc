"""Generated demo media: covers and gallery pictures drawn with Pillow, PDFs, and the shipped clips."""

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

DEMO_DIR = Path(__file__).resolve().parent
SAMPLE_VIDEO = DEMO_DIR / "sample-video.mp4"
SAMPLE_AUDIO = DEMO_DIR / "sample-audio.mp3"

FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
]


def cjk_font(size: int):
    """A font that can draw Chinese, or None when the machine has none (then no text is drawn)."""
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return None


def _gradient(size, top, bottom):
    width, height = size
    image = Image.new("RGB", size, top)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / max(height - 1, 1)
        colour = tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)
    return image


def _wrap(text, font, max_width, draw):
    lines, line = [], ""
    for char in text:
        if draw.textlength(line + char, font=font) > max_width and line:
            lines.append(line)
            line = char
        else:
            line += char
    if line:
        lines.append(line)
    return lines


def cover_png(title: str, subtitle: str, colours, seed: int = 0, size=(1280, 720)) -> bytes:
    """A 16:9 cover: theme-coloured gradient, hills, title and subtitle."""
    top, bottom = colours
    image = _gradient(size, top, bottom)
    draw = ImageDraw.Draw(image)
    width, height = size
    # Rolling hills whose shape varies with the seed, so covers are told apart at a glance.
    for layer in range(3):
        offset = (seed * 37 + layer * 91) % 200
        shade = tuple(max(0, c - 30 - layer * 20) for c in bottom)
        points = [(0, height)]
        for x in range(0, width + 80, 80):
            wave = ((x + offset) % 400) / 400
            y = int(height * (0.62 + 0.1 * layer) - 60 * abs(0.5 - wave) * 2)
            points.append((x, y))
        points.append((width, height))
        draw.polygon(points, fill=shade)
    font = cjk_font(int(height * 0.085))
    small = cjk_font(int(height * 0.045))
    if font is not None:
        y = int(height * 0.14)
        for line in _wrap(title, font, width * 0.84, draw)[:3]:
            draw.text((int(width * 0.08), y), line, font=font, fill=(255, 255, 255))
            y += int(height * 0.11)
        draw.text((int(width * 0.08), y + 10), subtitle, font=small, fill=(255, 240, 210))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def document_pdf(title: str, paragraphs: list[str]) -> bytes:
    """A one-page A4 PDF with the title and text (rendered as an image page by Pillow)."""
    page = Image.new("RGB", (1240, 1754), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    font = cjk_font(48)
    body = cjk_font(30)
    if font is not None:
        y = 140
        for line in _wrap(title, font, 1000, draw):
            draw.text((120, y), line, font=font, fill=(20, 20, 20))
            y += 70
        y += 40
        for paragraph in paragraphs:
            for line in _wrap(paragraph, body, 1000, draw):
                draw.text((120, y), line, font=body, fill=(50, 50, 50))
                y += 48
            y += 24
    else:
        draw.rectangle([(120, 140), (1120, 200)], fill=(200, 200, 200))
    buffer = io.BytesIO()
    page.save(buffer, format="PDF", resolution=150)
    return buffer.getvalue()
