"""The timeline on the results page: a `search.export.Timeline` as inline-SVG geometry.

Drawn on the server so it needs no script (the CSP allows none inline) and shows in any
browser, even with JavaScript off. The SVG stretches to the column (`viewBox` with
`preserveAspectRatio="none"`); colours come from style.css classes, never `style=`
attributes, which the CSP forbids. Each bar is a link that narrows `from`/`to` to its
period, with a `<title>` tooltip.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from search.export import Bar, Timeline
from search.request import SearchRequest
from search.results import facet_label
from webui.i18n import count_releases, format_date, text
from webui.links import Links

SLOT = 10  # viewBox units per period
BAR = 8  # bar width within its slot
HEIGHT = 100
TOP = 4  # headroom above the tallest bar
MIN_BAR = 6  # a single release must still show (the whole slot is the click target)


@dataclass
class BarView:
    href: str
    tooltip: str
    slot_x: float
    x: float
    y: float
    height: float


@dataclass
class TimelineView:
    caption: str
    peak: str
    aria_label: str
    width: int
    first: str
    last: str
    height: int = HEIGHT
    slot: int = SLOT
    bar_width: int = BAR
    bars: list[BarView] = field(default_factory=list)


def period_label(bar: Bar, granularity: str, ui: str) -> str:
    """"4 марта 2025" for a day, "март 2025" for a month, "2025" or "2000–2041" for years."""
    if granularity == "day":
        return format_date(dt.date.fromisoformat(bar.label), ui)
    if granularity == "year":
        return bar.label
    return facet_label("month", bar.label, ui)


def timeline_view(
    timeline: Timeline, search: SearchRequest, ui: str, links: Links
) -> TimelineView | None:
    """The chart, or None when it would say nothing (no releases, a single period)."""
    bars = timeline.bars
    if len(bars) < 2 or not timeline.peak:
        return None
    peak_bar = max(bars, key=lambda b: b.count)  # the first of the highest
    caption = text(f"timeline_{timeline.granularity}", ui)
    first = period_label(bars[0], timeline.granularity, ui)
    last = period_label(bars[-1], timeline.granularity, ui)
    view = TimelineView(
        caption=caption,
        peak=text("timeline_peak", ui, n=timeline.peak),
        aria_label=text("timeline_aria", ui, caption=caption, start=first, end=last,
                        peak=count_releases(timeline.peak, ui),
                        period=period_label(peak_bar, timeline.granularity, ui)),
        width=SLOT * len(bars),
        first=first,
        last=last,
    )
    usable = HEIGHT - TOP
    for index, bar in enumerate(bars):
        if not bar.count:
            continue
        height = max(round(bar.count / timeline.peak * usable, 2), MIN_BAR)
        narrowed = search.with_changes(date_from=bar.start, date_to=bar.end, page=1)
        label = period_label(bar, timeline.granularity, ui)
        view.bars.append(BarView(
            href=links.search(narrowed),
            tooltip=text("timeline_bar", ui, period=label, count=count_releases(bar.count, ui)),
            slot_x=index * SLOT,
            x=index * SLOT + (SLOT - BAR) / 2,
            y=round(HEIGHT - height, 2),
            height=height,
        ))
    return view
