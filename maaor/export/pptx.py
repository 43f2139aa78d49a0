"""The take-away briefing pack: the plenary slides as a PowerPoint file (python-pptx).

It draws the :class:`maaor.slides.Slide` records the Present page draws, in the same
order: titles, messages and big numbers as text, bar charts as native PowerPoint charts
(editable, their numbers in the embedded workbook), the presence map as a PNG drawn
without a browser (``maaor.export.mapimage``), and speaker notes holding the narrative
and the data version. Each slide's name (``slide.name``) is its key and each shape is
named for what it holds ("title", "message", "number:<key>", "chart", "map", "notice",
"source"), so a reader or a test can find them.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Emu, Inches, Pt

from maaor.dataset import DatasetMeta
from maaor.export.mapimage import presence_png
from maaor.export.tables import neutralise_text
from maaor.i18n import fmt_date, t
from maaor.slides import ChartSpec, Slide, version_text, with_meeting

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
INK = RGBColor(0x11, 0x11, 0x11)
ACCENT = RGBColor(0x08, 0x45, 0x94)
MUTED = RGBColor(0x44, 0x44, 0x44)
NOTICE_FILL = RGBColor(0xFF, 0xF1, 0xC2)
NOTICE_LINE = RGBColor(0xE6, 0x9F, 0x00)
BOX_FILL = RGBColor(0xF2, 0xF6, 0xFB)
FONT = "Liberation Sans"  # metric-compatible with Arial; shipped with LibreOffice
# Number formats of chart labels (Excel codes). French numbers carry the French locale
# ([$-40C]): PowerPoint and LibreOffice then write "183,7 M" and "1 234", whatever the
# viewer's own locale.
NUMBER_FORMATS = {"number": "#,##0", "percent": '0"%"', "money": '#,##0.0,,"M"'}
LOCALE_FORMATS = {
    "fr": {"number": "[$-40C]#,##0", "percent": '[$-40C]0" %"', "money": '[$-40C]#,##0.0,," M"'},
}
# A zero segment of a stacked bar gets no label (empty third section of the format).
STACKED_LABEL_FORMAT = '#,##0;-#,##0;""'
LOCALE_STACKED_FORMATS = {"fr": '[$-40C]# ##0;-# ##0;""'}


def number_format(kind: str, lang: str, stacked_label: bool = False) -> str:
    """Return the chart number format code of values of ``kind`` in ``lang``."""
    if stacked_label:
        return LOCALE_STACKED_FORMATS.get(lang, STACKED_LABEL_FORMAT)
    return LOCALE_FORMATS.get(lang, NUMBER_FORMATS)[kind]


def category_font_pt(categories: int, series: int, stacked: bool, height_pt: float) -> tuple[int, int]:
    """Return (category label size, value label size) in points for a bar chart of
    ``height_pt`` points: each category band is tall enough for its label, each bar for
    its value label, so no viewer has to skip or overlap them."""
    band = max(height_pt - 70, 40) / max(categories, 1)  # minus legend and value axis
    bar = band * 0.6 / (1 if stacked else max(series, 1))
    return int(min(13, max(7, band * 0.55))), int(min(12, max(6, bar * 0.8)))
MAX_LABELLED = 12  # side-by-side bars get value labels up to this many categories


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _text(slide, name: str, left, top, width, height, text: str, size: int, *,
          bold: bool = False, colour: RGBColor = INK, align=PP_ALIGN.LEFT,
          anchor=MSO_ANCHOR.TOP):
    box = slide.shapes.add_textbox(left, top, width, height)
    box.name = name
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = Inches(0.05)
    paragraph = frame.paragraphs[0]
    paragraph.alignment = align
    run = paragraph.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = FONT
    run.font.color.rgb = colour
    return box


def _number_box(slide, number, left, top, width, height, value_size: int) -> None:
    box = slide.shapes.add_shape(1, left, top, width, height)  # 1 = rectangle
    box.name = f"number:{number.key}"
    box.fill.solid()
    box.fill.fore_color.rgb = BOX_FILL
    box.line.color.rgb = RGBColor(0xC6, 0xDB, 0xEF)
    box.shadow.inherit = False
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    value = frame.paragraphs[0]
    value.alignment = PP_ALIGN.CENTER
    run = value.add_run()
    run.text = number.text
    run.font.size, run.font.bold, run.font.name = Pt(value_size), True, FONT
    run.font.color.rgb = ACCENT
    label = frame.add_paragraph()
    label.alignment = PP_ALIGN.CENTER
    run = label.add_run()
    run.text = number.label
    run.font.size, run.font.name = Pt(15), FONT
    run.font.color.rgb = INK


def _chart(slide, spec: ChartSpec, left, top, width, height, lang: str) -> None:
    if not spec.categories:
        _text(slide, "chart", left, top, width, Inches(1), spec.empty or t("table.empty", lang),
              20, colour=MUTED)
        return
    data = CategoryChartData(number_format=number_format(spec.value_format, lang))
    # python-pptx embeds the chart's data as a workbook written by xlsxwriter, which
    # stores a text starting with "=" as a formula: labels are neutralised like downloads.
    data.categories = [neutralise_text(c) for c in spec.categories]
    for series in spec.series:
        data.add_series(neutralise_text(series.name), list(series.values))
    kind = XL_CHART_TYPE.BAR_STACKED if spec.stacked else XL_CHART_TYPE.BAR_CLUSTERED
    frame = slide.shapes.add_chart(kind, left, top, width, height, data)
    frame.name = "chart"
    chart = frame.chart
    chart.font.size = Pt(13)
    chart.font.name = FONT
    chart.has_legend = len(spec.series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(14)
    category_axis = chart.category_axis
    category_axis.reverse_order = True  # first category on top, as on screen
    label_pt, value_pt = category_font_pt(len(spec.categories), len(spec.series), spec.stacked,
                                          Emu(height).pt)
    category_axis.tick_labels.font.size = Pt(label_pt)
    _label_every_category(category_axis)
    value_axis = chart.value_axis
    value_axis.has_major_gridlines = True
    value_axis.tick_labels.font.size = Pt(12)
    value_axis.tick_labels.number_format = number_format(spec.value_format, lang)
    value_axis.tick_labels.number_format_is_linked = False
    if spec.axis_title:
        value_axis.has_title = True
        title = spec.axis_title + (" (M)" if spec.value_format == "money" else "")
        value_axis.axis_title.text_frame.text = title
        value_axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(13)
    plot = chart.plots[0]
    plot.gap_width = 60
    if spec.stacked:
        plot.overlap = 100
    for series, drawn in zip(spec.series, plot.series, strict=True):
        drawn.format.fill.solid()
        drawn.format.fill.fore_color.rgb = _rgb(series.colour)
        drawn.invert_if_negative = False
    if not spec.stacked and len(spec.categories) > MAX_LABELLED:
        return  # too many bars to label legibly: the axis and the data pack hold the values
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format = number_format(spec.value_format, lang, stacked_label=spec.stacked)
    labels.number_format_is_linked = False
    labels.font.size = Pt(value_pt)
    labels.position = XL_LABEL_POSITION.CENTER if spec.stacked else XL_LABEL_POSITION.OUTSIDE_END
    if spec.stacked:
        _hide_cramped_labels(spec, plot)


SMALLEST_LABELLED_SHARE = 0.06  # a stacked segment narrower than this keeps no label


def _hide_cramped_labels(spec: ChartSpec, plot) -> None:
    """Delete the value label of stacked segments too narrow to hold it (they would
    overlap their neighbours); the data pack and the table hold every value."""
    top = max((sum(v or 0 for v in values) for values in
               zip(*(s.values for s in spec.series), strict=True)), default=0)
    if not top:
        return
    for series, drawn in zip(spec.series, plot.series, strict=True):
        for index, value in enumerate(series.values):
            if value and value / top < SMALLEST_LABELLED_SHARE:
                label = drawn.points[index].data_label
                label.has_text_frame = False
                d_lbl = label._get_or_add_dLbl()
                for child in list(d_lbl):
                    if child.tag != qn("c:idx"):
                        d_lbl.remove(child)
                delete = OxmlElement("c:delete")
                delete.set("val", "1")
                d_lbl.append(delete)


def _label_every_category(axis) -> None:
    """Ask the viewer to label every category (LibreOffice skips some when crowded)."""
    element = axis._element
    skip = element.find(qn("c:tickLblSkip"))
    if skip is None:
        skip = OxmlElement("c:tickLblSkip")
        anchor = element.find(qn("c:noMultiLvlLbl"))
        if anchor is not None:
            anchor.addprevious(skip)
        else:
            element.append(skip)
    skip.set("val", "1")


def _footer(slide, item: Slide, n: int, total: int, lang: str) -> None:
    bottom = HEIGHT - Inches(0.45)
    if item.notice:
        box = _text(slide, "notice", MARGIN, bottom - Inches(0.5), WIDTH - 2 * MARGIN,
                    Inches(0.42), item.notice, 15, bold=True, anchor=MSO_ANCHOR.MIDDLE)
        box.fill.solid()
        box.fill.fore_color.rgb = NOTICE_FILL
        box.line.color.rgb = NOTICE_LINE
    _text(slide, "source", MARGIN, bottom, Inches(10.3), Inches(0.35), item.source, 11,
          colour=MUTED)
    _text(slide, "slide_number", WIDTH - MARGIN - Inches(2.3), bottom, Inches(2.3),
          Inches(0.35), t("slide.number", lang, n=n, total=total), 11, colour=MUTED,
          align=PP_ALIGN.RIGHT)


def _notes(slide, item: Slide, meta: DatasetMeta, lang: str) -> None:
    lines = [s.text for s in item.notes]
    when = fmt_date(meta.created_at, lang) if meta.created_at else t("value.unknown", lang)
    lines.append(t("slide.notes.version", lang, version=version_text(meta, lang), date=when))
    lines.append(item.source)
    slide.notes_slide.notes_text_frame.text = "\n".join(lines)


def _title_page(slide, item: Slide) -> None:
    _text(slide, "title", MARGIN, Inches(2.2), WIDTH - 2 * MARGIN, Inches(1.5), item.title, 44,
          bold=True, colour=ACCENT, anchor=MSO_ANCHOR.BOTTOM)
    _text(slide, "message", MARGIN, Inches(3.9), WIDTH - 2 * MARGIN, Inches(1.2), item.message,
          26)


def _content_page(slide, item: Slide, lang: str) -> None:
    _text(slide, "title", MARGIN, Inches(0.35), WIDTH - 2 * MARGIN, Inches(0.75), item.title,
          34, bold=True, colour=ACCENT)
    _text(slide, "message", MARGIN, Inches(1.1), WIDTH - 2 * MARGIN, Inches(0.8), item.message,
          24)
    top = Inches(2.0)
    bottom = HEIGHT - Inches(1.05 if item.notice else 0.55)
    if item.chart.kind == "none":
        columns = 4
        rows = (len(item.numbers) + columns - 1) // columns
        gap = Inches(0.25)
        width = Emu(int((WIDTH - 2 * MARGIN - gap * (columns - 1)) / columns))
        height = Emu(int(min(Inches(1.9), (bottom - top - gap * (rows - 1)) / max(rows, 1))))
        for i, number in enumerate(item.numbers):
            r, c = divmod(i, columns)
            _number_box(slide, number, MARGIN + c * (width + gap), top + r * (height + gap),
                        width, height, 34)
        return
    side = Inches(3.1)
    gap = Inches(0.2)
    height = Emu(int(min(Inches(1.45), (bottom - top - gap * 3) / max(len(item.numbers), 1))))
    for i, number in enumerate(item.numbers):
        _number_box(slide, number, MARGIN, top + i * (height + gap), side, height, 30)
    left = MARGIN + side + Inches(0.3)
    width = WIDTH - MARGIN - left
    if item.chart.kind == "map":
        png = presence_png(item.chart.by_country, item.chart.by_admin1, lang,
                           extent_iso3=item.chart.extent or None)
        box_h = bottom - top
        pic_w = min(width, Emu(int(box_h * 16 / 9)))
        picture = slide.shapes.add_picture(io.BytesIO(png), left, top, width=pic_w)
        picture.name = "map"
        return
    if item.chart.note:
        bottom = bottom - Inches(0.35)
        _text(slide, "chart_note", left, bottom, width, Inches(0.35), item.chart.note, 12,
              colour=MUTED)
    _chart(slide, item.chart, left, top, width, bottom - top, lang)


def briefing_pptx(slides: Sequence[Slide], meta: DatasetMeta, meeting_name: str | None,
                  meeting_date: dt.date | None, lang: str) -> bytes:
    """Return the briefing pack as PPTX bytes.

    Args:
        slides: the output of ``maaor.slides.slide_deck`` (same slides, same order).
        meta: metadata of the dataset (data version in the notes and file properties).
        meeting_name: the meeting, typed by the presenter (title of the first slide).
        meeting_date: the meeting date (None: not shown).
        lang: "en" or "fr".
    """
    items = with_meeting(list(slides), meeting_name, meeting_date, lang)
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    blank = deck.slide_layouts[6]
    total = len(items)
    for n, item in enumerate(items, start=1):
        slide = deck.slides.add_slide(blank)
        slide._element.cSld.name = item.key
        if item.key == "title":
            _title_page(slide, item)
        else:
            _content_page(slide, item, lang)
        _footer(slide, item, n, total, lang)
        _notes(slide, item, meta, lang)
    props = deck.core_properties
    props.title = items[0].title if items else t("slide.title.default", lang)
    props.subject = version_text(meta, lang)
    props.language = lang
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
