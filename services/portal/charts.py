"""Charts of the dashboard as server-rendered SVG (pygal), each a document of its own.

The SVG runs no script and the page embeds nothing inline: the page's strict
Content-Security-Policy stands. The SVG carries its own styles, allowed for that document only.
A chart whose bars are links is shown in a frame of this site (links in an image cannot be
followed); each bar's link opens in the page around it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pygal
from flask_babel import gettext as _
from lxml import etree
from pygal.style import Style

FONT = "Sarabun, 'Noto Sans Thai', Loma, Tahoma, sans-serif"
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    font_family=FONT,
    colors=("#123c69", "#2e8b57", "#e0a800", "#b3261e", "#7a8ca3"),
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    title_font_size=15,
    value_font_size=14,
    value_label_font_size=12,
    tooltip_font_size=14,
)
# A chart is drawn 800 units wide and shrinks with its frame: on a phone (a frame under 600 px)
# its text grows so that, scaled down, none is smaller than 11 px. So that the larger text does
# not overlap, the labels under the bars turn upright, the scale keeps every other line's figure
# and the values printed over the bars give way (the table beside the chart has them).
NARROW = (
    "@media (max-width: 600px) {"
    " text { font-size: 26px !important; }"
    " .axis.x text { text-anchor: end; transform-box: fill-box; transform-origin: 100% 50%;"
    " transform: rotate(-90deg) translateX(-4px); }"
    " .axis.y .guides:nth-of-type(2n) text { display: none; }"
    " .text-overlay text.value { display: none; } }"
)
# The SVG's own header: no script at all, its inline styles only, framed by this site alone.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def _chart(kind, title: str, labels: Sequence[str], **options):
    chart = kind(
        style=STYLE,
        title=title,
        js=(),  # no script in the image
        disable_xml_declaration=True,
        show_legend=options.pop("show_legend", False),
        print_values=options.pop("print_values", True),
        print_values_position="top",
        width=options.pop("width", 800),
        height=options.pop("height", 420),
        truncate_label=-1,
        no_data_text=_("no data"),
        **options,
    )
    chart.x_labels = list(labels)
    return chart


def _svg(chart) -> bytes:
    """The chart's SVG without pygal's configuration script (an image runs none anyway), with
    its text sized for a phone."""
    tree = chart.render_tree()
    for script in list(tree.iter("script", "{http://www.w3.org/2000/svg}script")):
        script.getparent().remove(script)
    defs = next(tree.iter("defs", "{http://www.w3.org/2000/svg}defs"))
    etree.SubElement(defs, "style", type="text/css").text = NARROW
    return etree.tostring(tree, encoding="utf-8")


def linked(values: Sequence[Any], links: Sequence[str] | None, names: Sequence[str]) -> list[Any]:
    """Each value with the address its bar leads to (opened in the page around the chart) and
    a name saying what the bar is (the link's accessible name and its tooltip)."""
    if links is None:
        return list(values)
    return [
        {"value": value, "xlink": {"href": link, "target": "_top"}, "tooltip": name}
        for value, link, name in zip(values, links, names, strict=True)
    ]


def bars(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    unit: str = "",
    links: Sequence[str] | None = None,
    names: Sequence[str] | None = None,
) -> bytes:
    """One bar per label (achievement by KPI, score by unit), each a link when given, named by
    `names` (a unit's Thai name beside its code) or else by its label."""

    def shown(v: float) -> str:
        return f"{v:,.4g}{unit}"

    chart = _chart(pygal.Bar, title, labels, value_formatter=shown)
    rounded = [None if v is None else round(v, 2) for v in values]
    said = [
        label if v is None else f"{label}: {shown(v)}"
        for label, v in zip(names or labels, rounded, strict=True)
    ]
    chart.add(title, linked(rounded, links, said))
    return _svg(chart)


def completion(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int], Sequence[str] | None]],
) -> bytes:
    """Reports approved, pending and still missing by KPI, stacked against those due; each
    part a link when given."""
    chart = _chart(pygal.StackedBar, title, labels, show_legend=True, legend_at_bottom=True)
    for name, values, links in series:
        names = [f"{label} {name}: {v}" for label, v in zip(labels, values, strict=True)]
        chart.add(name, linked(values, links, names))
    return _svg(chart)


def over_the_year(
    title: str,
    labels: Sequence[str],
    completion: tuple[str, Sequence[float | None]],
    score: tuple[str, Sequence[float | None]],
) -> bytes:
    """Completion (per cent, left axis) and the overall score (1-5, right axis) by month."""
    chart = _chart(
        pygal.Line,
        title,
        labels,
        show_legend=True,
        legend_at_bottom=True,
        # Two lines of twelve figures each would cover each other: the table beside has them.
        print_values=False,
        range=(0, 100),
        secondary_range=(1, 5),
        value_formatter=lambda v: f"{v:,.4g}",
    )
    chart.add(completion[0], [None if v is None else round(v, 2) for v in completion[1]])
    chart.add(score[0], [None if v is None else round(v, 2) for v in score[1]], secondary=True)
    return _svg(chart)
