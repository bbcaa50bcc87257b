"""The dashboard's charts, drawn on the server as inline SVG: no JavaScript, no library, no
request to anyone (comments.desk.dashboard.views puts them on the page).

Every chart is built with format_html and format_html_join only, so each number and label
is escaped. Each is an image with a name and a description (`role="img"`, `aria-labelledby`
its <title> and <desc>), its axes and ticks written as <text>, and a legend. Series are told
apart by more than their colour: a pattern in each bar (solid, stripes, dots, cross-hatch),
a marker and a dash on each line, and the legend in the order the series are drawn (bottom to
top, left to right). Every colour the callers use is dark enough for 3:1 against the white the
stylesheet gives each chart, whatever the admin's theme. Charts scale with their box (a
viewBox, width 100%) and stay left to right on a right-to-left page (`direction="ltr"`).

Ticks fall on 1, 2 or 5 times a power of 10 (nice_scale). The values come as numbers, and
the callers name the categories (days, weeks, hours): the text to print under them.
"""

import math
from hashlib import sha1

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join

WIDTH = 720
FONT_SIZE = 12
CHAR_WIDTH = 7.2  # an average character at FONT_SIZE, for laying out labels
AXIS = "#595959"  # 7:1 on white
GRID = "#dcdcdc"  # decorative only: the ticks carry the values
PATTERNS = ("solid", "stripes", "dots", "cross", "lines")
MARKERS = ("circle", "square", "triangle", "diamond")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
PLOT_HEIGHT = 200
MARGIN_LEFT = 64
MARGIN_RIGHT = 16


# --- numbers -------------------------------------------------------------------------------


def nice_step(span, ticks=5, integer=False):
    """The step between ticks covering `span` in about `ticks` steps: 1, 2 or 5 times a power of 10
    (at least 1 for counts)."""
    if not span or span <= 0 or not math.isfinite(span):
        return 1
    raw = span / ticks
    exponent = math.floor(math.log10(raw))
    fraction = raw / 10**exponent
    nice = 1 if fraction <= 1 else 2 if fraction <= 2 else 5 if fraction <= 5 else 10
    step = nice * 10**exponent
    if integer:
        step = max(1, round(step))
    return step


def nice_scale(maximum, ticks=5, integer=False):
    """(top, step, ticks) of an axis from 0 that holds `maximum`: the top a multiple of a nice
    step, so every tick is one (0 and nothing else gives an axis of 0 to 1)."""
    maximum = max(maximum or 0, 0)
    step = nice_step(maximum, ticks, integer) if maximum else 1
    count = max(1, math.ceil(maximum / step - 1e-9))
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    values = [round(i * step, decimals) for i in range(count + 1)]
    return values[-1], step, values


def tick_text(value, step):
    """A tick's number the editor's way ("1,500", "0.25", "0,25")."""
    decimals = max(0, -math.floor(math.log10(step))) if step and step < 1 else 0
    return (
        number_format(round(value, decimals), decimals) if decimals else number_format(round(value))
    )


def _n(value):
    """A coordinate, as few characters as it needs."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _join(parts):
    return format_html_join("", "{}", ((part,) for part in parts if part))


def _maximum(*series):
    return max((v for values in series for v in values if v is not None), default=0)


def _text_width(text):
    return len(str(text)) * CHAR_WIDTH


# --- the parts of every chart ----------------------------------------------------------------


def chart_id(title, desc=""):
    """An id for a chart's <title>, <desc> and patterns, the same on every request, unique
    per chart on the page (their titles differ)."""
    return "chart-" + sha1(f"{title}\n{desc}".encode()).hexdigest()[:10]  # noqa: S324


def _svg(cid, height, title, desc, body, size=WIDTH):
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="dash-chart" role="img" '
        'aria-labelledby="{cid}-title {cid}-desc" viewBox="0 0 {w} {h}" width="100%" '
        'direction="ltr" font-size="{font}" fill="currentColor">'
        '<title id="{cid}-title">{title}</title><desc id="{cid}-desc">{desc}</desc>'
        "{body}</svg>",
        cid=cid,
        w=size,
        h=_n(height),
        font=FONT_SIZE,
        title=title,
        desc=desc,
        body=body,
    )


def _pattern(cid, index, colour):
    """The fill of series `index`: its colour, with white marks by its place in the series
    (solid, stripes, dots, cross-hatch, lines), so that it is told apart without colour."""
    kind = PATTERNS[index % len(PATTERNS)]
    marks = {
        "solid": "",
        "stripes": format_html(
            '<path d="{}" stroke="#fff" stroke-width="1.3"/>', "M0 6L6 0M-1 1L1 -1M5 7L7 5"
        ),
        "dots": format_html('<circle cx="3" cy="3" r="{}" fill="#fff"/>', "1.3"),
        "cross": format_html('<path d="{}" stroke="#fff" stroke-width="0.9"/>', "M0 0L6 6M6 0L0 6"),
        "lines": format_html('<path d="{}" stroke="#fff" stroke-width="1.3"/>', "M0 3H6"),
    }[kind]
    return format_html(
        '<pattern id="{}-p{}" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="{}"/>{}</pattern>',
        cid,
        index,
        colour,
        marks,
    )


def _defs(cid, colours):
    return format_html(
        "<defs>{}</defs>", _join(_pattern(cid, i, colour) for i, colour in enumerate(colours))
    )


def _fill(cid, index):
    return f"url(#{cid}-p{index})"


def _marker(kind, x, y, colour, hollow=False, size=4.0):
    fill = "#fff" if hollow else colour
    if kind == "square":
        return format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" stroke-width="1.5"/>',
            _n(x - size + 0.5),
            _n(y - size + 0.5),
            _n(2 * size - 1),
            _n(2 * size - 1),
            fill,
            colour,
        )
    if kind == "triangle":
        points = f"{_n(x)},{_n(y - size - 1)} {_n(x + size + 0.5)},{_n(y + size - 0.5)} " + (
            f"{_n(x - size - 0.5)},{_n(y + size - 0.5)}"
        )
        return format_html(
            '<polygon points="{}" fill="{}" stroke="{}" stroke-width="1.5"/>', points, fill, colour
        )
    if kind == "diamond":
        points = f"{_n(x)},{_n(y - size - 1)} {_n(x + size + 1)},{_n(y)} " + (
            f"{_n(x)},{_n(y + size + 1)} {_n(x - size - 1)},{_n(y)}"
        )
        return format_html(
            '<polygon points="{}" fill="{}" stroke="{}" stroke-width="1.5"/>', points, fill, colour
        )
    return format_html(
        '<circle cx="{}" cy="{}" r="{}" fill="{}" stroke="{}" stroke-width="1.5"/>',
        _n(x),
        _n(y),
        _n(size),
        fill,
        colour,
    )


def _legend(items, top, left=MARGIN_LEFT, width=WIDTH - MARGIN_LEFT - MARGIN_RIGHT):
    """The legend: each item (its label and how to draw its key, a function of (x, y) of the
    key's middle) in the order given, flowing over as many rows as it needs. Returns (the
    SVG, its height)."""
    parts, x, y, row = [], left, top + 8, 18
    for label, key in items:
        needed = 28 + _text_width(label) + 16
        if x > left and x + needed > left + width:
            x, y = left, y + row
        parts.append(
            format_html(
                '<g class="dash-legend-item">{}<text x="{}" y="{}" dominant-baseline="middle">'
                "{}</text></g>",
                key(x + 11, y),
                _n(x + 26),
                _n(y + 1),
                label,
            )
        )
        x += needed
    return format_html('<g class="dash-legend">{}</g>', _join(parts)), (y - top) + 14


def _swatch(fill):
    def key(x, y):
        return format_html(
            '<rect x="{}" y="{}" width="20" height="12" fill="{}" stroke="{}" stroke-width="0.5"/>',
            _n(x - 10),
            _n(y - 6),
            fill,
            AXIS,
        )

    return key


def _line_key(colour, index, hollow=False):
    def key(x, y):
        return format_html(
            '<path d="M{} {}H{}" stroke="{}" stroke-width="2" stroke-dasharray="{}" fill="none"/>'
            "{}",
            _n(x - 11),
            _n(y),
            _n(x + 11),
            colour,
            DASHES[index % len(DASHES)] or "none",
            _marker(MARKERS[index % len(MARKERS)], x, y, colour, hollow=hollow),
        )

    return key


def _value_axis(left, top, width, height, ticks, step, label, fmt):
    """The vertical axis: a grid line and a label at each tick, the axis's name turned along it."""
    y_of = _y_scale(top, height, ticks[-1])
    lines = _join(
        format_html(
            '<path d="M{} {}H{}" stroke="{}" stroke-width="1"/>'
            '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>',
            _n(left),
            _n(y_of(value)),
            _n(left + width),
            GRID,
            _n(left - 6),
            _n(y_of(value)),
            fmt(value, step),
        )
        for value in ticks
    )
    return format_html(
        '<g class="dash-axis dash-y">{}<path d="M{} {}V{}" stroke="{}" stroke-width="1"/>'
        '<text class="dash-axis-label" x="14" y="{}" text-anchor="middle" '
        'transform="rotate(-90 14 {})">{}</text></g>',
        lines,
        _n(left),
        _n(top),
        _n(top + height),
        AXIS,
        _n(top + height / 2),
        _n(top + height / 2),
        label,
    )


def _y_scale(top, height, top_value):
    def y_of(value):
        return top + height - (value / top_value) * height if top_value else top + height

    return y_of


def _category_axis(left, top, width, height, categories, label, from_start=False):
    """The horizontal axis of categories (days, weeks, hours): the baseline, as many of their
    names as fit (the last always: today, this week; or the first, `from_start`: midnight),
    the axis's name under them."""
    count = len(categories)
    slot = width / max(count, 1)
    widest = max((_text_width(c) for c in categories), default=0) + 6
    every = max(1, math.ceil(widest / slot)) if slot else 1
    names = _join(
        format_html(
            '<path d="M{x} {y0}V{y1}" stroke="{axis}"/>'
            '<text x="{x}" y="{ty}" text-anchor="middle">{name}</text>',
            x=_n(left + slot * (i + 0.5)),
            y0=_n(top + height),
            y1=_n(top + height + 4),
            axis=AXIS,
            ty=_n(top + height + 17),
            name=name,
        )
        for i, name in enumerate(categories)
        if (i if from_start else count - 1 - i) % every == 0
    )
    return format_html(
        '<g class="dash-axis dash-x"><path d="M{} {}H{}" stroke="{}" stroke-width="1"/>{}'
        '<text class="dash-axis-label" x="{}" y="{}" text-anchor="middle">{}</text></g>',
        _n(left),
        _n(top + height),
        _n(left + width),
        AXIS,
        names,
        _n(left + width / 2),
        _n(top + height + 36),
        label,
    )


def _plain(value, step):
    return tick_text(value, step)


def _empty_note(left, top, width, height, note):
    if not note:
        return ""
    return format_html(
        '<text class="dash-empty" x="{}" y="{}" text-anchor="middle">{}</text>',
        _n(left + width / 2),
        _n(top + height / 2),
        note,
    )


def _frame(items, top_extra=0, size=WIDTH):
    """Where the plot goes under a legend of `items`: (legend SVG, plot top)."""
    legend, legend_height = _legend(items, 6, width=size - MARGIN_LEFT - MARGIN_RIGHT)
    return legend, 6 + legend_height + 12 + top_extra


def _tip(*parts):
    """A shape's tooltip (<title>): its series, its category and its value."""
    return format_html("<title>{}</title>", ", ".join(str(p) for p in parts if p != ""))


# --- the charts ------------------------------------------------------------------------------


def stacked_bars(
    categories,
    series,
    colours,
    labels,
    title,
    desc,
    y_label,
    x_label,
    *,
    size=WIDTH,
    fmt=_plain,
    empty=None,
):
    """One bar per category (a day), its series stacked from the bottom in their order
    (approved, pending, spam, removed).

    No piece is a link: an image's content is presentational (`role="img"`), and a link
    inside it is one that screen readers don't announce and the keyboard reaches unnamed
    (axe-core's nested-interactive). The table under each chart carries the links."""
    cid = chart_id(title, desc)
    totals = [sum(values[i] or 0 for values in series) for i in range(len(categories))]
    top_value, step, ticks = nice_scale(max(totals, default=0), integer=True)
    legend, top = _frame(
        [(label, _swatch(_fill(cid, i))) for i, label in enumerate(labels)], size=size
    )
    left, width, height = MARGIN_LEFT, size - MARGIN_LEFT - MARGIN_RIGHT, PLOT_HEIGHT
    y_of = _y_scale(top, height, top_value)
    slot = width / max(len(categories), 1)
    bar = max(slot * 0.72, 1)
    pieces = []
    for i, category in enumerate(categories):
        base = 0
        x = left + slot * i + (slot - bar) / 2
        for s, values in enumerate(series):
            value = values[i] or 0
            if not value:
                continue
            pieces.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#fff" '
                    'stroke-width="0.75">{}</rect>',
                    _n(x),
                    _n(y_of(base + value)),
                    _n(bar),
                    _n(y_of(base) - y_of(base + value)),
                    _fill(cid, s),
                    _tip(labels[s], category, fmt(value, 1)),
                )
            )
            base += value
    body = _join(
        [
            _defs(cid, colours),
            legend,
            _value_axis(left, top, width, height, ticks, step, y_label, fmt),
            format_html('<g class="dash-bars">{}</g>', _join(pieces)),
            _category_axis(left, top, width, height, categories, x_label),
            _empty_note(left, top, width, height, empty if not any(totals) else None),
        ]
    )
    return _svg(cid, top + height + 46, title, desc, body, size)


def lines(
    categories,
    series,
    colours,
    labels,
    title,
    desc,
    y_label,
    x_label,
    *,
    size=WIDTH,
    fmt=_plain,
    integer=False,
    empty=None,
):
    """A line per series over the categories (days), a marker at each value (circle, square,
    …) and a dash of its own; None is a gap in the line (a day with nothing to measure)."""
    cid = chart_id(title, desc)
    top_value, step, ticks = nice_scale(_maximum(*series), integer=integer)
    legend, top = _frame(
        [(label, _line_key(colours[i], i)) for i, label in enumerate(labels)], size=size
    )
    left, width, height = MARGIN_LEFT, size - MARGIN_LEFT - MARGIN_RIGHT, PLOT_HEIGHT
    y_of = _y_scale(top, height, top_value)
    slot = width / max(len(categories), 1)
    tip_step = step if integer else step / 100  # the tooltips more precise than the ticks
    drawn = []
    for s, values in enumerate(series):
        drawn.append(
            _line(
                [
                    (left + slot * (i + 0.5), None if v is None else y_of(v))
                    for i, v in enumerate(values)
                ],
                colours[s],
                s,
                [
                    "" if v is None else _tip(labels[s], categories[i], fmt(v, tip_step))
                    for i, v in enumerate(values)
                ],
            )
        )
    has_values = any(v is not None for values in series for v in values)
    body = _join(
        [
            legend,
            _value_axis(left, top, width, height, ticks, step, y_label, fmt),
            format_html('<g class="dash-lines">{}</g>', _join(drawn)),
            _category_axis(left, top, width, height, categories, x_label),
            _empty_note(left, top, width, height, None if has_values else empty),
        ]
    )
    return _svg(cid, top + height + 46, title, desc, body, size)


def _line(points, colour, index, tips, hollow=None):
    """One series: its runs of values as paths (broken where a value is None), and a marker
    with its tooltip at each value."""
    runs, run = [], []
    for x, y in points:
        if y is None:
            runs.append(run)
            run = []
        else:
            run.append((x, y))
    runs.append(run)
    paths = _join(
        format_html(
            '<path d="{}" stroke="{}" stroke-width="2" stroke-dasharray="{}" fill="none"/>',
            "M" + " L".join(f"{_n(x)} {_n(y)}" for x, y in run),
            colour,
            DASHES[index % len(DASHES)] or "none",
        )
        for run in runs
        if len(run) > 1
    )
    marks = _join(
        format_html(
            "<g>{}{}</g>",
            _marker(
                MARKERS[index % len(MARKERS)],
                x,
                y,
                colour,
                hollow=bool(hollow and hollow[i]),
            ),
            tips[i],
        )
        for i, (x, y) in enumerate(points)
        if y is not None
    )
    return format_html('<g class="dash-series">{}{}</g>', paths, marks)


def bars_by_hour(
    hours,
    series,
    colours,
    labels,
    title,
    desc,
    y_label,
    x_label,
    *,
    size=WIDTH,
    fmt=_plain,
    integer=False,
    empty=None,
):
    """Bars side by side for each hour of the day (0 to 23), one per series (posted; or the
    median and 90th percentile wait), patterned by their place; None draws no bar."""
    cid = chart_id(title, desc)
    top_value, step, ticks = nice_scale(_maximum(*series), integer=integer)
    legend, top = _frame(
        [(label, _swatch(_fill(cid, i))) for i, label in enumerate(labels)], size=size
    )
    left, width, height = MARGIN_LEFT, size - MARGIN_LEFT - MARGIN_RIGHT, PLOT_HEIGHT
    y_of = _y_scale(top, height, top_value)
    slot = width / max(len(hours), 1)
    group = slot * 0.8
    bar = group / max(len(series), 1)
    bars = _join(
        format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#fff" '
            'stroke-width="0.5">{}</rect>',
            _n(left + slot * i + (slot - group) / 2 + bar * s),
            _n(y_of(value)),
            _n(bar),
            _n(y_of(0) - y_of(value)),
            _fill(cid, s),
            _tip(labels[s], hours[i], fmt(value, step if integer else step / 100)),
        )
        for s, values in enumerate(series)
        for i, value in enumerate(values)
        if value
    )
    has_values = any(v for values in series for v in values)
    body = _join(
        [
            _defs(cid, colours),
            legend,
            _value_axis(left, top, width, height, ticks, step, y_label, fmt),
            format_html('<g class="dash-bars">{}</g>', bars),
            _category_axis(left, top, width, height, hours, x_label, from_start=True),
            _empty_note(left, top, width, height, None if has_values else empty),
        ]
    )
    return _svg(cid, top + height + 46, title, desc, body, size)


def share_bars(
    categories,
    series,
    colours,
    labels,
    title,
    desc,
    x_label,
    *,
    size=WIDTH,
    empty_row="",
    percent=None,
):
    """100 % stacked bars, one row per category (a week), each series' share of the row's
    total in the legend's order from the left, its percentage written in the piece when
    there is room. A row with no total says `empty_row`. `percent(share)` writes a share."""
    percent = percent or (lambda share: f"{round(share * 100)}%")
    cid = chart_id(title, desc)
    legend, top = _frame(
        [(label, _swatch(_fill(cid, i))) for i, label in enumerate(labels)], size=size
    )
    left = max(MARGIN_LEFT, 12 + max((_text_width(c) for c in categories), default=0))
    width = size - left - MARGIN_RIGHT
    row, gap = 26, 12
    height = len(categories) * (row + gap) + gap
    rows = []
    for i, category in enumerate(categories):
        y = top + gap + i * (row + gap)
        total = sum(values[i] or 0 for values in series)
        pieces, start = [], 0
        for s, values in enumerate(series):
            value = values[i] or 0
            if not total or not value:
                continue
            x0, x1 = left + width * start / total, left + width * (start + value) / total
            share = value / total
            pieces.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#fff" '
                    'stroke-width="1">{}</rect>{}',
                    _n(x0),
                    _n(y),
                    _n(x1 - x0),
                    row,
                    _fill(cid, s),
                    _tip(labels[s], category, f"{value} ({percent(share)})"),
                    format_html(
                        '<text class="dash-on-colour" x="{}" y="{}" text-anchor="middle" '
                        'dominant-baseline="middle" fill="#fff" stroke="{}" stroke-width="3" '
                        'paint-order="stroke" font-weight="bold">{}</text>',
                        _n((x0 + x1) / 2),
                        _n(y + row / 2 + 1),
                        colours[s],
                        percent(share),
                    )
                    if x1 - x0 >= _text_width(percent(share)) + 8
                    else "",
                )
            )
            start += value
        rows.append(
            format_html(
                '<g class="dash-row"><text x="{}" y="{}" text-anchor="end" '
                'dominant-baseline="middle">{}</text>{}{}</g>',
                _n(left - 6),
                _n(y + row / 2 + 1),
                category,
                _join(pieces),
                format_html(
                    '<text class="dash-empty" x="{}" y="{}" dominant-baseline="middle">{}</text>',
                    _n(left + 6),
                    _n(y + row / 2 + 1),
                    empty_row,
                )
                if not total
                else "",
            )
        )
    ticks = [0, 20, 40, 60, 80, 100]
    axis = _join(
        format_html(
            '<path d="M{x} {y0}V{y1}" stroke="{grid}"/>'
            '<text x="{x}" y="{ty}" text-anchor="middle">{label}</text>',
            x=_n(left + width * t / 100),
            y0=_n(top),
            y1=_n(top + height + 4),
            grid=GRID if t else AXIS,
            ty=_n(top + height + 17),
            label=percent(t / 100),
        )
        for t in ticks
    )
    body = _join(
        [
            _defs(cid, colours),
            legend,
            format_html('<g class="dash-axis dash-x">{}</g>', axis),
            format_html('<g class="dash-bars">{}</g>', _join(rows)),
            format_html(
                '<text class="dash-axis-label" x="{}" y="{}" text-anchor="middle">{}</text>',
                _n(left + width / 2),
                _n(top + height + 36),
                x_label,
            ),
        ]
    )
    return _svg(cid, top + height + 46, title, desc, body, size)


def histograms(
    edges,
    approved,
    spam,
    colours,
    labels,
    title,
    desc,
    y_label,
    x_label,
    *,
    size=WIDTH,
    hold_threshold=None,
    spam_threshold=None,
    threshold_labels=("hold", "spam"),
    empty=None,
):
    """Two histograms on one axis of scores (0 to 1): approved and spam comments, each
    semi-transparent with a solid outline (spam also hatched), so that where they overlap
    both show; the filter's hold and spam thresholds as labelled vertical lines (hold's label
    to the left of its line, spam's to the right, so close thresholds stay readable)."""
    cid = chart_id(title, desc)
    top_value, step, ticks = nice_scale(_maximum(approved, spam), integer=True)
    legend, top = _frame(
        [(label, _swatch(_fill(cid, i))) for i, label in enumerate(labels)],
        top_extra=14,
        size=size,
    )
    left, width, height = MARGIN_LEFT, size - MARGIN_LEFT - MARGIN_RIGHT, PLOT_HEIGHT
    low, high = edges[0], edges[-1]
    span = (high - low) or 1

    def x_of(value):
        return left + width * (value - low) / span

    y_of = _y_scale(top, height, top_value)
    drawn = []
    for s, counts in enumerate((approved, spam)):
        bars = _join(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" fill-opacity="0.55" '
                'stroke="{}" stroke-width="1.5">{}</rect>',
                _n(x_of(edges[i]) + 1),
                _n(y_of(count)),
                _n(x_of(edges[i + 1]) - x_of(edges[i]) - 2),
                _n(y_of(0) - y_of(count)),
                _fill(cid, s),
                colours[s],
                _tip(labels[s], f"{edges[i]:.2f}\u2013{edges[i + 1]:.2f}", count),
            )
            for i, count in enumerate(counts)
            if count
        )
        drawn.append(format_html('<g class="dash-series">{}</g>', bars))
    score_step = nice_step(span, 5)
    score_ticks = [round(low + i * score_step, 6) for i in range(round(span / score_step) + 1)]
    axis = _join(
        format_html(
            '<path d="M{x} {y0}V{y1}" stroke="{axis}"/>'
            '<text x="{x}" y="{ty}" text-anchor="middle">{label}</text>',
            x=_n(x_of(t)),
            y0=_n(top + height),
            y1=_n(top + height + 4),
            axis=AXIS,
            ty=_n(top + height + 17),
            label=tick_text(t, score_step),
        )
        for t in score_ticks
    )
    marks = []
    for value, name, anchor, shift in (
        (hold_threshold, threshold_labels[0], "end", -4),
        (spam_threshold, threshold_labels[1], "start", 4),
    ):
        if value is None:
            continue
        marks.append(
            format_html(
                '<g class="dash-threshold"><path d="M{x} {y0}V{y1}" stroke="#1a1a1a" '
                'stroke-width="2" stroke-dasharray="5 3"/>'
                '<text x="{tx}" y="{ty}" text-anchor="{anchor}" font-weight="bold">{name} '
                "{value}</text></g>",
                x=_n(x_of(value)),
                y0=_n(top - 6),
                y1=_n(top + height),
                tx=_n(x_of(value) + shift),
                ty=_n(top - 8),
                anchor=anchor,
                name=name,
                value=tick_text(value, 0.01),
            )
        )
    body = _join(
        [
            _defs(cid, colours),
            legend,
            _value_axis(left, top, width, height, ticks, step, y_label, _plain),
            _join(drawn),
            format_html(
                '<g class="dash-axis dash-x"><path d="M{} {}H{}" stroke="{}"/>{}'
                '<text class="dash-axis-label" x="{}" y="{}" text-anchor="middle">{}</text></g>',
                _n(left),
                _n(top + height),
                _n(left + width),
                AXIS,
                axis,
                _n(left + width / 2),
                _n(top + height + 36),
                x_label,
            ),
            _join(marks),
            _empty_note(left, top, width, height, None if any(approved) or any(spam) else empty),
        ]
    )
    return _svg(cid, top + height + 46, title, desc, body, size)


def points(
    categories,
    series,
    colours,
    labels,
    title,
    desc,
    y_labels,
    x_label,
    *,
    size=WIDTH,
    hollow=None,
    hollow_label=None,
    fmt=_plain,
    empty=None,
):
    """Measures of each retraining (recall, false-spam rate): a panel per series, one above
    the other on the same categories (the versions, oldest first), each with its own scale
    (a false-spam rate of 0.5 % would vanish on recall's 0 to 100 %), markers joined by a
    thin line. `hollow[i]` draws category i's markers hollow (a version that does not act),
    which the legend explains with `hollow_label`."""
    cid = chart_id(title, desc)
    items = [(label, _line_key(colours[i], i)) for i, label in enumerate(labels)]
    if hollow_label and hollow and any(hollow):
        items.append((hollow_label, _line_key(AXIS, 0, hollow=True)))
    legend, top = _frame(items, size=size)
    left, width = MARGIN_LEFT, size - MARGIN_LEFT - MARGIN_RIGHT
    panel, gap = 110, 24
    slot = width / max(len(categories), 1)
    panels = []
    for s, values in enumerate(series):
        panel_top = top + s * (panel + gap)
        top_value, step, ticks = nice_scale(_maximum(values))
        y_of = _y_scale(panel_top, panel, top_value)
        panels.append(
            format_html(
                '<g class="dash-panel">{}{}</g>',
                _value_axis(left, panel_top, width, panel, ticks, step, y_labels[s], fmt),
                _line(
                    [
                        (left + slot * (i + 0.5), None if v is None else y_of(v))
                        for i, v in enumerate(values)
                    ],
                    colours[s],
                    s,
                    [
                        "" if v is None else _tip(labels[s], categories[i], fmt(v, step / 100))
                        for i, v in enumerate(values)
                    ],
                    hollow=hollow,
                ),
            )
        )
    height = len(series) * (panel + gap) - gap
    body = _join(
        [
            legend,
            _join(panels),
            _category_axis(left, top, width, height, categories, x_label),
            _empty_note(left, top, width, height, empty if not categories else None),
        ]
    )
    return _svg(cid, top + height + 46, title, desc, body, size)
