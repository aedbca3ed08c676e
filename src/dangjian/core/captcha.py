"""验证码 for public forms that work offline (the intranet has no captcha service to call).

A challenge is five digits drawn as distorted strokes in an SVG (shown inline as a data: image, so there is no
image route to fetch and no file to keep), with noise lines across them. The answer is kept only on the server,
in the cache every worker shares (``counters.shared()``: Redis, or files), under a random token that the form
carries in a hidden field; it lasts ``TIMEOUT`` seconds and is used up by the first check, right or wrong, so
that a page re-sent or a token replayed fails. Nothing about the visitor is stored with it.

Pillow (which an image captcha library such as django-simple-captcha needs) is not a dependency of the project;
strokes in SVG need nothing beyond the standard library.
"""

from __future__ import annotations

import base64
import math
import secrets
import unicodedata

from . import counters

LENGTH = 5
TIMEOUT = 15 * 60
_PREFIX = "dangjian:captcha:"

# Each digit as polylines on a 10 × 16 grid (a hand-drawn stroke font: no <text> element a script could read).
_GLYPHS = {
    "0": [[(1, 2), (3, 0), (7, 0), (9, 2), (9, 14), (7, 16), (3, 16), (1, 14), (1, 2)]],
    "1": [[(3, 3), (6, 0), (6, 16)], [(3, 16), (9, 16)]],
    "2": [[(1, 3), (3, 0), (7, 0), (9, 3), (9, 6), (1, 16), (9, 16)]],
    "3": [[(1, 1), (9, 1), (5, 7), (8, 8), (9, 12), (7, 16), (3, 16), (1, 14)]],
    "4": [[(7, 16), (7, 0), (1, 11), (10, 11)]],
    "5": [[(9, 0), (2, 0), (1, 7), (6, 6), (9, 9), (9, 13), (6, 16), (1, 15)]],
    "6": [[(8, 0), (3, 3), (1, 9), (1, 13), (4, 16), (7, 16), (9, 13), (9, 10), (6, 8), (3, 8), (1, 10)]],
    "7": [[(1, 0), (9, 0), (4, 16)], [(3, 8), (8, 8)]],
    "8": [[(5, 8), (2, 6), (2, 2), (5, 0), (8, 2), (8, 6), (5, 8), (1, 11), (1, 14), (5, 16), (9, 14),
           (9, 11), (5, 8)]],
    "9": [[(9, 6), (7, 8), (3, 8), (1, 6), (1, 2), (3, 0), (7, 0), (9, 2), (9, 8), (7, 14), (3, 16)]],
}
_WIDTH, _HEIGHT = 150, 50
_rng = secrets.SystemRandom()


def _glyph_paths(char: str, left: float) -> list[str]:
    """The digit's strokes, scaled, slanted, turned and each point jittered a little."""
    scale = _rng.uniform(1.9, 2.3)
    angle = math.radians(_rng.uniform(-18, 18))
    slant = _rng.uniform(-0.25, 0.25)
    top = _rng.uniform(4, _HEIGHT - 16 * scale - 4)
    cos, sin = math.cos(angle), math.sin(angle)
    paths = []
    for stroke in _GLYPHS[char]:
        points = []
        for x, y in stroke:
            x, y = (x - 5 + slant * (y - 8)) * scale, (y - 8) * scale
            x, y = x * cos - y * sin, x * sin + y * cos
            points.append(f"{left + 10 * scale / 2 + x + _rng.uniform(-1, 1):.1f},"
                          f"{top + 8 * scale + y + _rng.uniform(-1, 1):.1f}")
        paths.append(f'<polyline points="{" ".join(points)}"/>')
    return paths


def _noise() -> str:
    x0, y0 = 0, _rng.uniform(5, _HEIGHT - 5)
    c1, c2 = (_rng.uniform(20, 70), _rng.uniform(0, _HEIGHT)), (_rng.uniform(80, 130), _rng.uniform(0, _HEIGHT))
    return (f'<path d="M{x0},{y0:.1f} C{c1[0]:.1f},{c1[1]:.1f} {c2[0]:.1f},{c2[1]:.1f} {_WIDTH},'
            f'{_rng.uniform(5, _HEIGHT - 5):.1f}" stroke-width="{_rng.uniform(0.8, 1.4):.1f}"/>')


def render_svg(answer: str) -> str:
    glyphs = [p for i, char in enumerate(answer) for p in _glyph_paths(char, 6 + i * 28 + _rng.uniform(-2, 2))]
    noise = "".join(_noise() for _ in range(4))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}" '
            f'viewBox="0 0 {_WIDTH} {_HEIGHT}"><rect width="100%" height="100%" fill="#fff7f5"/>'
            f'<g fill="none" stroke="#8b1a1a" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round">'
            f'{"".join(glyphs)}</g><g fill="none" stroke="#d49494">{noise}</g></svg>')


def new_challenge() -> tuple[str, str]:
    """(token for the form's hidden field, the picture as a data: URI for an <img>)."""
    answer = "".join(secrets.choice("0123456789") for _ in range(LENGTH))
    token = secrets.token_urlsafe(24)
    counters.shared().set(_PREFIX + token, answer, TIMEOUT)
    picture = base64.b64encode(render_svg(answer).encode()).decode()
    return token, f"data:image/svg+xml;base64,{picture}"


def check(token: str, answer: str) -> bool:
    """Whether ``answer`` solves the challenge ``token``; the challenge is used up either way."""
    token = (token or "").strip()
    if not token or len(token) > 64:
        return False
    cache = counters.shared()
    key = _PREFIX + token
    expected = cache.get(key)
    # Only the request that deletes the key may pass: two requests with one token cannot both succeed.
    if expected is None or not cache.delete(key):
        return False
    typed = unicodedata.normalize("NFKC", answer or "").replace(" ", "")  # full-width digits typed on a phone
    return secrets.compare_digest(typed, expected)


def error_for(token: str, answer: str) -> str | None:
    """The form's message when the challenge fails (it names the field), else None."""
    if not (answer or "").strip():
        check(token, "")
        return "验证码：请填写图中的数字"
    if not check(token, answer):
        return "验证码：填写错误或已过期，请按新的图片重新填写"
    return None
