"""Product images: thumbnails for uploads, and demo cards drawn locally with Pillow (the network is closed)."""

from __future__ import annotations

import functools
import io
from pathlib import Path, PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageDraw, ImageFont, ImageOps

# What staff may upload: photographs for the product page, not anything Pillow can open. Bounds the disk and the
# memory the thumbnail takes (a 30,000 x 30,000 PNG of a few hundred kilobytes decodes to 2.7 GB).
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
UPLOAD_MAX_PIXELS = 40_000_000  # 8,000 x 5,000
UPLOAD_FORMATS = ("JPEG", "PNG", "WEBP")
THUMB_SIZE = 300
CARD_SIZE = 600
JPEG_QUALITY = 85
# Fonts with Cyrillic glyphs, first found wins; Pillow's built-in font is the fallback.
FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
]


def _jpeg_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return buf.getvalue()


def upload_check(file) -> None:
    """Refuse an uploaded product picture that is too big, too many pixels or not a JPEG/PNG/WebP.

    `file` is what forms.ImageField cleaned: it has already opened it with Pillow (`file.image`, pixels not read).
    """
    if file.size > UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("Файл больше %(mb)d МБ."), code="too_large", params={"mb": UPLOAD_MAX_BYTES // (1024 * 1024)}
        )
    image = getattr(file, "image", None)
    if image is None or image.format not in UPLOAD_FORMATS:
        raise ValidationError(_("Загрузите изображение в формате JPEG, PNG или WebP."), code="format")
    width, height = image.size
    if width * height > UPLOAD_MAX_PIXELS:
        raise ValidationError(
            _("Изображение %(w)d × %(h)d: больше %(mp)d мегапикселей."),
            code="too_many_pixels",
            params={"w": width, "h": height, "mp": UPLOAD_MAX_PIXELS // 1_000_000},
        )


def thumbnail_make(image_field, *, size: int = THUMB_SIZE) -> ContentFile:
    """A JPEG thumbnail (at most `size` px on the long side) of an ImageField's file, named after it.

    The caller stores it: `product_image.thumbnail.save(content.name, content, save=False)`.
    """
    image_field.open("rb")
    try:
        with Image.open(image_field) as original:
            img = ImageOps.exif_transpose(original)
            img.thumbnail((size, size))
            data = _jpeg_bytes(img)
    finally:
        image_field.close()
    stem = PurePosixPath(image_field.name).stem
    return ContentFile(data, name=f"{stem}_thumb.jpg")


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_CANDIDATES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _initials(text: str) -> str:
    words = [w for w in text.replace("-", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def _centered(draw: ImageDraw.ImageDraw, y: int, text: str, *, font, fill, width: int) -> None:
    left, _top, right, _bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((width - (right - left)) / 2, y), text, font=font, fill=fill)


def demo_card_make(*, title: str, caption: str, colour: tuple[int, int, int], size: int = CARD_SIZE) -> bytes:
    """A square JPEG card: a coloured background, a simple shape with the title's initials, the caption below."""
    img = Image.new("RGB", (size, size), colour)
    draw = ImageDraw.Draw(img)
    light = tuple(min(255, c + 60) for c in colour)
    dark = tuple(max(0, c - 70) for c in colour)
    # A soft diagonal band and a disc: enough to tell cards apart at a glance.
    draw.polygon([(0, size * 0.72), (size, size * 0.45), (size, size), (0, size)], fill=light)
    r = size * 0.27
    cx, cy = size / 2, size * 0.4
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill="white", outline=dark, width=max(2, size // 100))
    initials = _initials(title)
    font_big = _font(int(size * 0.2))
    left, top, right, bottom = draw.textbbox((0, 0), initials, font=font_big)
    draw.text((cx - (right - left) / 2 - left, cy - (bottom - top) / 2 - top), initials, font=font_big, fill=dark)
    _centered(draw, int(size * 0.78), caption[:28], font=_font(int(size * 0.065)), fill=dark, width=size)
    return _jpeg_bytes(img)


def stored_image_ensure(name: str, make) -> str:
    """Write `make()` (JPEG bytes) to the default storage under `name` unless a file is already there."""
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(make()))
        if saved != name:  # a concurrent run wrote it first; keep theirs
            default_storage.delete(saved)
    return name


def demo_image_pair(*, key: str, title: str, caption: str, colour: tuple[int, int, int]) -> tuple[str, str]:
    """Storage names of a demo card and its thumbnail for `key`, drawn once and reused by every product with it."""

    def card() -> bytes:
        return demo_card_make(title=title, caption=caption, colour=colour)

    def thumb() -> bytes:
        with Image.open(io.BytesIO(card())) as img:
            img.thumbnail((THUMB_SIZE, THUMB_SIZE))
            return _jpeg_bytes(img)

    image = stored_image_ensure(f"demo/{key}.jpg", card)
    thumbnail = stored_image_ensure(f"demo/thumbs/{key}.jpg", thumb)
    return image, thumbnail
