"""Uploads: images lose their metadata (EXIF, GPS, XMP, comments) before they are stored."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

_REENCODE = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "TIFF": "image/tiff",
    "BMP": "image/bmp",
}


def strip_metadata(content: bytes, media_type: str) -> tuple[bytes, str]:
    """Re-encode images from their pixels alone; other files pass unchanged.

    The type is decided from the content, not from the name or the declared media type, so a renamed
    photo is cleaned too."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            fmt = image.format or ""
            if fmt not in _REENCODE:
                return content, media_type
            image.load()
            # A new image from the pixels alone carries no EXIF, GPS, XMP, ICC or text chunks.
            # Only the first frame of an animation is kept.
            clean = Image.frombytes(image.mode, image.size, image.tobytes())
            palette = image.getpalette() if image.mode == "P" else None
            if palette:
                clean.putpalette(palette)
            out = io.BytesIO()
            clean.save(out, format=fmt)
            return out.getvalue(), _REENCODE[fmt]
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return content, media_type or "application/octet-stream"
