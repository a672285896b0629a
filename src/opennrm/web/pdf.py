"""HTML to PDF through WeasyPrint (ADR 0002): one way for every letter and statement.

Nothing is fetched while rendering: the templates carry their own style. Importing WeasyPrint switches on
Pillow's process-wide ``LOAD_TRUNCATED_IMAGES``, which would let a truncated photo slip past the metadata
cleaning of uploads (``opennrm.services.media``); it is switched off again at once."""

from __future__ import annotations

from PIL import ImageFile


def _no_fetching(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    raise ValueError(f"a letter loads nothing from elsewhere ({url[:40]})")


def html_to_pdf(html: str) -> bytes:
    import weasyprint

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=_no_fetching).write_pdf()
    return pdf
