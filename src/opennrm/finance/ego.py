"""An account's ego network drawn on the server as SVG (no JavaScript): the account in the middle, its
counterparts on a circle, an arrow per direction of payment with the total paid. Labels are escaped."""

from __future__ import annotations

import html
import math

WIDTH = HEIGHT = 520
RADIUS = 200


def ego_svg(center: str, edges: list[tuple[str, str, float, int]], title: str) -> str:
    """``edges``: (source, target, total amount, count), each touching ``center``."""
    esc = html.escape
    others = sorted({s for s, _, _, _ in edges} | {t for _, t, _, _ in edges} - {center})
    others = [o for o in others if o != center]
    cx, cy = WIDTH / 2, HEIGHT / 2
    pos = {center: (cx, cy)}
    for i, name in enumerate(others):
        angle = 2 * math.pi * i / max(1, len(others))
        pos[name] = (cx + RADIUS * math.cos(angle), cy + RADIUS * math.sin(angle))
    biggest = max((a for _, _, a, _ in edges), default=1.0) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="ego-title" class="ego-network" width="100%" style="max-width:{WIDTH}px">',
        f'<title id="ego-title">{esc(title)}</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
    ]
    for source, target, amount, count in edges:
        (x1, y1), (x2, y2) = pos[source], pos[target]
        # stop short of the node's circle; paid-in and paid-out between the same pair bend apart
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        bend = 8 if source == center else -8
        x1b, y1b = x1 + ux * 14 - uy * bend, y1 + uy * 14 + ux * bend
        x2b, y2b = x2 - ux * 14 - uy * bend, y2 - uy * 14 + ux * bend
        width = 1 + 4 * amount / biggest
        parts.append(
            f'<line x1="{x1b:.1f}" y1="{y1b:.1f}" x2="{x2b:.1f}" y2="{y2b:.1f}" stroke="#555" '
            f'stroke-width="{width:.1f}" marker-end="url(#arrow)"><title>{esc(source)} → {esc(target)}: '
            f"{amount:,.2f} ({count})</title></line>"
        )
    for name, (x, y) in pos.items():
        fill = "#b02a37" if name == center else "#0d6efd"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="12" fill="{fill}"><title>{esc(name)}</title></circle>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{y + 26:.1f}" text-anchor="middle" font-size="11" fill="#212529">'
            f"{esc(name[:24])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
