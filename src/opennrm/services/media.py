"""Uploads: images lose their metadata (EXIF, GPS, XMP, comments) before they are stored.

Fails closed: a file that is an image (by its content, or by its declared type) and cannot be re-encoded
from its pixels — truncated, corrupt, a decompression bomb, a format we cannot decode such as HEIC — is
refused, never stored as it came, since it may carry the place where a photo was taken."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageFile, UnidentifiedImageError

from opennrm.services.errors import InvalidInput

_REENCODE = {
    "JPEG": ("JPEG", "image/jpeg"),
    "MPO": ("JPEG", "image/jpeg"),  # a JPEG with extra frames, as many phones write them
    "PNG": ("PNG", "image/png"),
    "WEBP": ("WEBP", "image/webp"),
    "GIF": ("GIF", "image/gif"),
    "TIFF": ("TIFF", "image/tiff"),
    "BMP": ("BMP", "image/bmp"),
}
_OPENERS = ["JPEG", "PNG", "WEBP", "GIF", "TIFF", "BMP"]  # the JPEG opener also yields MPO
MAX_PIXELS = 50_000_000
"""Largest image accepted (width × height); a bigger one, or a small file that claims to be one, is refused
before its pixels are decoded."""

# Signatures of image formats, so that a photo is recognised whatever it is called or declared as.
_IMAGE_SIGNATURES = (
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",  # TIFF, and camera raw files built on it
    b"MM\x00*",
    b"\x00\x00\x00\x0cjP  \r\n\x87\n",  # JPEG 2000
    b"\xff\x4f\xff\x51",
)
_ISO_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis")

_UNCLEANABLE = (
    "this image cannot be cleaned of its metadata (it may be damaged, too large, or in a format such as "
    "HEIC that cannot be read); save it as JPEG or PNG and upload it again"
)


def looks_like_image(content: bytes, media_type: str) -> bool:
    head = content[:32]
    if media_type.split(";", 1)[0].strip().lower().startswith("image/"):
        return True
    if head.startswith(_IMAGE_SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return True
    return head[4:8] == b"ftyp" and head[8:12] in _ISO_BRANDS


def strip_metadata(content: bytes, media_type: str) -> tuple[bytes, str]:
    """Re-encode images from their pixels alone; other files pass unchanged; an image that cannot be
    re-encoded is refused (``InvalidInput`` on ``file``).

    The type is decided from the content, not from the name or the declared media type, so a renamed
    photo is cleaned too. Only the formats listed are opened at all (no plug-in that calls out to other
    programs, such as EPS)."""
    # Pillow's switch is process-wide and a library may have turned it on (WeasyPrint does on import): a
    # truncated image must fail to load here, never be completed and passed on.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=_OPENERS) as image:
                fmt, clean_type = _REENCODE[image.format or ""]
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise InvalidInput(_UNCLEANABLE, field="file")
                image.load()
                # A new image from the pixels alone carries no EXIF, GPS, XMP, ICC or text chunks.
                # Only the first frame of an animation is kept.
                clean = Image.frombytes(image.mode, image.size, image.tobytes())
                palette = image.getpalette() if image.mode == "P" else None
                if palette:
                    clean.putpalette(palette)
                out = io.BytesIO()
                clean.save(out, format=fmt)
                return out.getvalue(), clean_type
    except UnidentifiedImageError:
        if looks_like_image(content, media_type):
            raise InvalidInput(_UNCLEANABLE, field="file") from None
        return content, media_type or "application/octet-stream"
    except (
        OSError,
        ValueError,
        KeyError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise InvalidInput(_UNCLEANABLE, field="file") from None
