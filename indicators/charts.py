"""Server-rendered SVG line chart (no JavaScript, no CDN, no inline style: classes only)."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 40


def trend_svg(points: list[dict], series: list[tuple[str, str, str]], *, title: str, target: int) -> str:
    """points: [{"month": "2026-03", key: score or None}]; series: [(key, label, css_class)].
    Scores are on a 0–100 scale; a missing score breaks the line."""
    n = max(len(points), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i):
        return LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v):
        return TOP + plot_h * (1 - v / 100)

    parts = [
        f'<svg class="ind-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for tick in (0, 25, 50, 75, 100):
        parts.append(f'<line class="ind-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>')
        parts.append(f'<text class="ind-axis" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick}</text>')
    parts.append(
        f'<line class="ind-target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(target):.1f}" y2="{y(target):.1f}"/>'
    )
    for i, point in enumerate(points):
        if n <= 12 or i % 2 == 0:
            parts.append(
                f'<text class="ind-axis" x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{escape(point["month"][2:])}</text>'
            )
    for s_index, (key, label, css) in enumerate(series):
        segment: list[str] = []
        segments = []
        for i, point in enumerate(points):
            value = point.get(key)
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x(i):.1f},{y(value):.1f}")
            parts.append(
                f'<circle class="{css}" cx="{x(i):.1f}" cy="{y(value):.1f}" r="3"><title>{escape(point["month"])} {escape(label)} {value}</title></circle>'
            )
        if segment:
            segments.append(segment)
        for seg in segments:
            parts.append(f'<polyline class="{css}" fill="none" points="{" ".join(seg)}"/>')
        lx = LEFT + s_index * 180
        parts.append(f'<rect class="{css}" x="{lx}" y="{HEIGHT - 14}" width="12" height="4"/>')
        parts.append(f'<text class="ind-axis" x="{lx + 16}" y="{HEIGHT - 9}">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
