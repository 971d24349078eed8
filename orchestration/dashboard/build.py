"""Build `index.html`: charts of the reports for the city, each kecamatan and each kelurahan.

One self-contained file (plotly.js inlined once, the figures as JSON), so it opens from the file system, by e-mail
or on a shared drive, with no server and no network. A region selector switches the regional charts in the
browser; `#wilayah=<kode>` in the address opens a region directly. It reads only the analytics file and only
aggregates (counts per region, programme or sector): no family-level row and no identifier reaches the page.

Targeting and partner contributions exist only for the whole city (the reports have no region), so their charts
stay the same whichever region is chosen, and say so.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import textwrap
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from orchestration.exports.common import atomic_file, records, sweep_debris
from orchestration.exports.kelurahan import NEED_LABELS, VERIFICATION_LABELS, period_label

# Charts that follow the chosen region, then the city-only ones: (id, section title).
REGIONAL_CHARTS = (
    ("cakupan", "Cakupan kebutuhan dasar keluarga miskin ekstrem"),
    ("tren-cakupan", "Tren cakupan kebutuhan dasar"),
    ("tertinggal", "Keluarga miskin ekstrem yang tertinggal"),
    ("verifikasi", "Kemajuan verifikasi oleh kelurahan"),
    ("pemberdayaan", "Alur pemberdayaan ekonomi"),
)
CITY_CHARTS = (
    ("sasaran", "Ketepatan sasaran program"),
    ("mitra", "Kontribusi mitra pentahelix"),
)
SECTOR_LABELS = {
    "PEMERINTAH": "Pemerintah",
    "AKADEMISI": "Akademisi",
    "DUNIA_USAHA": "Dunia Usaha",
    "MEDIA": "Media",
    "KOMUNITAS": "Komunitas",
    "TIDAK_DIKETAHUI": "Tidak diketahui",
}
COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
CHART_CONFIG = {"displaylogo": False, "responsive": True}
# plotly's theme of every chart: white background, light grid
TEMPLATE = "plotly_white"
# Room for the toolbar, a one-line title, a one-line subtitle and one row of legend, until the page measures them.
TOP_MARGIN = 130


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # kota, kecamatan, kelurahan
    parent: str | None

    @property
    def label(self) -> str:
        return {
            "kota": self.name,
            "kecamatan": f"Kecamatan {self.name}",
            "kelurahan": f"Kelurahan {self.name}",
        }[self.level]


def _regions(connection: duckdb.DuckDBPyConnection) -> list[Region]:
    rows = records(
        connection,
        "select distinct region_level, region_code, region_name, kecamatan_code from rpt_basic_needs_coverage "
        "where region_level in ('kota', 'kecamatan', 'kelurahan')",
    )
    order = {"kota": 0, "kecamatan": 1, "kelurahan": 2}
    kota = next(row["region_code"] for row in rows if row["region_level"] == "kota")
    regions = [
        Region(
            row["region_code"],
            row["region_name"],
            row["region_level"],
            {"kota": None, "kecamatan": kota, "kelurahan": row["kecamatan_code"]}[
                row["region_level"]
            ],
        )
        for row in rows
    ]
    return sorted(
        regions, key=lambda region: (order[region.level], region.parent or "", region.name)
    )


def _by_region(
    connection: duckdb.DuckDBPyConnection, table: str, aggregates: str, kota: str
) -> dict:
    """`aggregates` of a report with kecamatan_code and kelurahan_code for every period and region (kota,
    kecamatan, kelurahan), by (period, region code). A row without a kelurahan counts only at the levels above."""
    rows = records(
        connection,
        "select period, case grouping(kecamatan_code, kelurahan_code) when 3 then ? "
        f'when 1 then kecamatan_code else kelurahan_code end as region_code, {aggregates} from "{table}" '
        "group by grouping sets ((period), (period, kecamatan_code), (period, kecamatan_code, kelurahan_code))",
        [kota],
    )
    return {
        (row["period"], row["region_code"]): row for row in rows if row["region_code"] is not None
    }


def _sums(measures: list[str]) -> str:
    return ", ".join(f'sum("{measure}") as "{measure}"' for measure in measures)


def _share(part: float | None, whole: float | None) -> float | None:
    return part / whole if part is not None and whole else None


def _rounded(value: Any) -> Any:
    """Shares and means to 4 decimals: enough for a chart, and a fraction of the page size."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value


def _wrapped(label: str, width: int = 14) -> str:
    """`label` on lines of about `width` characters: plotly never wraps a tick label, it cuts it or turns it."""
    return "<br>".join(textwrap.wrap(label, width, break_long_words=False)) or label


def _number(value: int) -> str:
    """Indonesian thousands separator: 1.234.567."""
    return f"{value:,}".replace(",", ".")


def _wrapped_ticks(axis: dict, labels: list[str], width: int = 14) -> dict:
    """A category axis whose tick labels are wrapped; the data (and its hover) keep the label on one line."""
    return {
        **axis,
        "tickmode": "array",
        "tickvals": labels,
        "ticktext": [_wrapped(label, width) for label in labels],
    }


def _layout(title: str, subtitle: str, **extra: Any) -> dict:
    """The title and its subtitle at the top, a horizontal legend under them, then the plot: the legend never sits
    on the plot nor on tick labels. The top margin here fits one line each; the page's script wraps the title to
    the chart's width and recomputes the top margin, the legend's position and the height from their measured
    sizes (`fitChart` in _SCRIPT). Axes push the other margins as far as their labels need (automargin)."""
    axes = {key: {"automargin": True, **extra.pop(key, {})} for key in ("xaxis", "yaxis")}
    return {
        "title": {
            "text": title,
            "subtitle": {"text": subtitle},
            "x": 0,
            "xref": "container",
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            # Below plotly's toolbar, which shows in the top right corner on hover (on a tap on a phone).
            "pad": {"l": 8, "t": 34},
        },
        # Indonesian number format: 1.234.567,8
        "separators": ",.",
        "autosize": True,
        "margin": {"l": 10, "r": 10, "t": TOP_MARGIN, "b": 10},
        "height": 420,
        "legend": {
            "orientation": "h",
            "x": 0,
            "xref": "container",
            # Under a one-line title and subtitle (34 px of toolbar, then about 58 px), until measured.
            "y": 1 - 92 / extra.get("height", 420),
            "yref": "container",
            "yanchor": "top",
        },
        **axes,
        **extra,
    }


class _Charts:
    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        import plotly.graph_objects as go

        self.go = go
        self.connection = connection
        self.regions = _regions(connection)
        self.kota = next(region for region in self.regions if region.level == "kota")
        self.periods = [
            period
            for (period,) in connection.execute(
                "select distinct period from rpt_verification_progress order by period"
            ).fetchall()
        ]
        self.period = self.periods[-1]
        coverage = records(
            connection,
            "select period, region_code, need, ekstrem_families, need_families, met_families, coverage "
            "from rpt_basic_needs_coverage where region_level in ('kota', 'kecamatan', 'kelurahan')",
        )
        self.coverage = {(row["period"], row["region_code"], row["need"]): row for row in coverage}
        left_behind = _by_region(
            connection, "rpt_left_behind", "count(*) as families", self.kota.code
        )
        self.left_behind = {key: row["families"] for key, row in left_behind.items()}
        self.verification = _by_region(
            connection,
            "rpt_verification_progress",
            _sums(
                [
                    "poor_families",
                    "verified_families",
                    *(f"verifications_{o.lower()}" for o in VERIFICATION_LABELS),
                ]
            ),
            self.kota.code,
        )
        self.empowerment = _by_region(
            connection,
            "rpt_empowerment_pathway",
            _sums(
                [
                    "working_age_members",
                    "trained",
                    "trained_with_business",
                    "trained_with_business_and_credit",
                    "pathway_complete",
                ]
            ),
            self.kota.code,
        )

    def _figure(self, data: list, layout: dict) -> dict:
        """The figure without its template, which the page holds once (`template` in the payload) and each chart
        takes when drawn: 180 copies were three quarters of the page's data, and validating the template again for
        each figure most of the time it took to build them. An empty template here keeps plotly's default one out."""
        figure = self.go.Figure(data=data, layout={**layout, "template": self.go.layout.Template()}).to_plotly_json()
        del figure["layout"]["template"]
        return _rounded(figure)

    def coverage_chart(self, region: Region) -> dict:
        rows = [self.coverage.get((self.period, region.code, need)) or {} for need in NEED_LABELS]
        families = rows[0].get("ekstrem_families") or 0
        needs = list(NEED_LABELS.values())
        bar = self.go.Bar(
            y=needs,
            x=[row.get("coverage") for row in rows],
            orientation="h",
            text=[
                f"{row.get('met_families') or 0} dari {row.get('need_families') or 0}"
                for row in rows
            ],
            textposition="outside",
            cliponaxis=False,
            marker_color=COLORS[0],
            name="Cakupan",
            hovertemplate="%{y}: %{x:.1%} (%{text} keluarga)<extra></extra>",
        )
        note = (
            f"{_number(families)} keluarga miskin ekstrem; label: keluarga terpenuhi dari yang membutuhkan"
            if families
            else "Tidak ada keluarga miskin ekstrem pada periode ini"
        )
        return self._figure(
            [bar],
            _layout(
                f"Cakupan kebutuhan dasar - {region.label} - {period_label(self.period)}",
                note,
                # Room right of a full bar for its label.
                xaxis={
                    "title": {"text": "Cakupan"},
                    "tickformat": ".0%",
                    "range": [0, 1.3],
                    "tickvals": [0, 0.25, 0.5, 0.75, 1],
                },
                yaxis=_wrapped_ticks({"autorange": "reversed"}, needs, 8),
                showlegend=False,
            ),
        )

    def coverage_trend_chart(self, region: Region) -> dict:
        lines = [
            self.go.Scatter(
                x=self.periods,
                y=[
                    (self.coverage.get((period, region.code, need)) or {}).get("coverage")
                    for period in self.periods
                ],
                mode="lines+markers",
                name=label,
                line={"color": COLORS[index]},
                hovertemplate=f"{label} %{{x}}: %{{y:.1%}}<extra></extra>",
            )
            for index, (need, label) in enumerate(NEED_LABELS.items())
        ]
        return self._figure(
            lines,
            _layout(
                f"Tren cakupan kebutuhan dasar - {region.label}",
                f"Keluarga miskin ekstrem yang kebutuhannya terpenuhi, {self.periods[0]} s.d. {self.period}",
                yaxis={"title": {"text": "Cakupan"}, "tickformat": ".0%", "range": [0, 1.05]},
                xaxis={"title": {"text": "Periode"}, "type": "category"},
            ),
        )

    def left_behind_chart(self, region: Region) -> dict:
        ekstrem = [
            (self.coverage.get((period, region.code, "jaminan_sosial")) or {}).get(
                "ekstrem_families"
            )
            or 0
            for period in self.periods
        ]
        left = [self.left_behind.get((period, region.code), 0) for period in self.periods]
        # The title states the newest figure: the chart is about who is left behind, not a slogan.
        title = (
            f"{_number(left[-1])} dari {_number(ekstrem[-1])} keluarga miskin ekstrem tertinggal"
            if left[-1]
            else "Tidak ada keluarga miskin ekstrem yang tertinggal"
        )
        return self._figure(
            [
                self.go.Bar(
                    x=self.periods,
                    y=left,
                    name="Tertinggal (tanpa bantuan 12 bulan)",
                    marker_color=COLORS[3],
                    hovertemplate="%{x}: %{y} keluarga tertinggal<extra></extra>",
                ),
                self.go.Scatter(
                    x=self.periods,
                    y=ekstrem,
                    name="Seluruh keluarga miskin ekstrem",
                    mode="lines+markers",
                    line={"color": COLORS[7]},
                    hovertemplate="%{x}: %{y} keluarga<extra></extra>",
                ),
            ],
            _layout(
                f"{title} - {region.label} - {period_label(self.period)}",
                "Tertinggal: tidak menerima bantuan apa pun (program mana pun, anggota mana pun) dalam 12 bulan "
                "terakhir",
                yaxis={"title": {"text": "Jumlah keluarga"}, "rangemode": "tozero"},
                xaxis={"title": {"text": "Periode"}, "type": "category"},
            ),
        )

    def verification_chart(self, region: Region) -> dict:
        rows = [self.verification.get((period, region.code)) or {} for period in self.periods]
        poor = [row.get("poor_families") or 0 for row in rows]
        verified = [row.get("verified_families") or 0 for row in rows]
        shares = [_share(v, p) for v, p in zip(verified, poor, strict=True)]
        title = (
            f"{shares[-1]:.0%} keluarga miskin terverifikasi"
            if shares[-1] is not None
            else "Tidak ada keluarga miskin"
        )
        return self._figure(
            [
                self.go.Bar(
                    x=self.periods,
                    y=verified,
                    name="Terverifikasi 6 bulan terakhir",
                    marker_color=COLORS[2],
                    hovertemplate="%{x}: %{y} keluarga terverifikasi<extra></extra>",
                ),
                self.go.Bar(
                    x=self.periods,
                    y=[p - v for p, v in zip(poor, verified, strict=True)],
                    name="Belum diverifikasi",
                    marker_color=COLORS[7],
                    hovertemplate="%{x}: %{y} keluarga belum diverifikasi<extra></extra>",
                ),
                self.go.Scatter(
                    x=self.periods,
                    y=shares,
                    name="Persentase terverifikasi",
                    yaxis="y2",
                    mode="lines+markers",
                    line={"color": COLORS[0]},
                    hovertemplate="%{x}: %{y:.1%}<extra></extra>",
                ),
            ],
            _layout(
                f"{title} - {region.label} - {period_label(self.period)}",
                f"{_number(verified[-1])} dari {_number(poor[-1])} keluarga miskin diverifikasi kelurahan dalam 6 "
                "bulan terakhir",
                barmode="stack",
                yaxis={"title": {"text": "Keluarga miskin"}, "rangemode": "tozero"},
                yaxis2={
                    "title": {"text": "Persentase terverifikasi"},
                    "overlaying": "y",
                    "side": "right",
                    "tickformat": ".0%",
                    "range": [0, 1.05],
                    "dtick": 0.2,
                    "automargin": True,
                },
                xaxis={"title": {"text": "Periode"}, "type": "category"},
            ),
        )

    def empowerment_chart(self, region: Region) -> dict:
        row = self.empowerment.get((self.period, region.code)) or {}
        steps = {
            "Usia produktif (18-59)": "working_age_members",
            "Lulus pelatihan": "trained",
            "Punya usaha (UMKM)": "trained_with_business",
            "Mendapat KUR": "trained_with_business_and_credit",
            "Bekerja / berwirausaha": "pathway_complete",
        }
        counts = [row.get(column) or 0 for column in steps.values()]
        labels = [
            _number(count)
            + (f" ({share:.0%})" if (share := _share(count, previous)) is not None else "")
            for count, previous in zip(counts, [None, *counts[:-1]], strict=True)
        ]
        names = list(steps)
        # A step nobody reached has a bar of no width, which plotly draws as nothing: a marker at 0 and its label
        # show that the step is empty rather than missing.
        empty = [index for index, count in enumerate(counts) if count == 0]
        return self._figure(
            [
                self.go.Bar(
                    y=names,
                    x=counts,
                    orientation="h",
                    text=labels,
                    texttemplate=["" if count == 0 else "%{text}" for count in counts],
                    textposition="auto",
                    marker={"color": COLORS[4]},
                    name="Anggota",
                    hovertemplate="%{y}: %{text}<extra></extra>",
                ),
                self.go.Scatter(
                    y=[names[index] for index in empty],
                    x=[0] * len(empty),
                    text=[labels[index] for index in empty],
                    mode="markers+text",
                    textposition="middle right",
                    marker={
                        "symbol": "line-ns-open",
                        "size": 18,
                        "color": COLORS[4],
                        "line": {"width": 3, "color": COLORS[4]},
                    },
                    cliponaxis=False,
                    name="Tidak ada anggota",
                    hovertemplate="%{y}: 0<extra></extra>",
                ),
            ],
            _layout(
                f"{_number(counts[-1])} dari {_number(counts[0])} anggota usia produktif bekerja atau berwirausaha"
                f" - {region.label} - {period_label(self.period)}",
                "Anggota keluarga miskin di tiap langkah; persentase: dari langkah sebelumnya",
                xaxis={"title": {"text": "Anggota"}, "rangemode": "tozero"},
                yaxis=_wrapped_ticks({"autorange": "reversed"}, names, 12),
                showlegend=False,
            ),
        )

    def targeting_chart(self) -> dict:
        # Transfers paid per tahap have no recipients in months without a payout: each programme's newest period
        # with deliveries is the one to read (see rpt_targeting).
        rows = records(
            self.connection,
            "select program_code, program_name, period, inclusion_error, exclusion_error, recipient_families, "
            "eligible_families from rpt_targeting where deliveries > 0 and period <= ? "
            "qualify row_number() over (partition by program_code order by period desc) = 1 order by program_name",
            [self.period],
        )
        # Programmes down the side, named as ref_programs names them: their names are too long for a turned label.
        labels = [f"{row['program_name']} ({row['period']})" for row in rows]
        custom = [[row["recipient_families"], row["eligible_families"]] for row in rows]
        return self._figure(
            [
                self.go.Bar(
                    y=labels,
                    x=[row["inclusion_error"] for row in rows],
                    orientation="h",
                    name="Salah sasaran (inclusion error)",
                    marker_color=COLORS[3],
                    customdata=custom,
                    hovertemplate="%{y}<br>%{x:.1%} dari %{customdata[0]} keluarga penerima"
                    "<extra></extra>",
                ),
                self.go.Bar(
                    y=labels,
                    x=[row["exclusion_error"] for row in rows],
                    orientation="h",
                    name="Belum menerima (exclusion error)",
                    marker_color=COLORS[1],
                    customdata=custom,
                    hovertemplate="%{y}<br>%{x:.1%} dari %{customdata[1]} keluarga layak"
                    "<extra></extra>",
                ),
            ],
            _layout(
                "Ketepatan sasaran per program - tingkat kota",
                "Periode terbaru dengan penyaluran untuk tiap program (dalam kurung)",
                barmode="group",
                xaxis={
                    "title": {"text": "Persentase keluarga"},
                    "tickformat": ".0%",
                    "range": [0, 1.05],
                },
                yaxis=_wrapped_ticks({"autorange": "reversed"}, labels, 24),
                height=TOP_MARGIN + 80 + 64 * len(rows),
            ),
        )

    def partner_chart(self) -> dict:
        rows = records(
            self.connection,
            "select pentahelix_sector, category, sum(deliveries) as deliveries, sum(amount_idr) as amount_idr, "
            "sum(families_reached) as families_reached from rpt_partner_contribution where period between ? and ? "
            "group by all",
            [self.periods[0], self.period],
        )
        categories = sorted({row["category"] for row in rows})
        labels = [category.replace("_", " ").capitalize() for category in categories]
        totals = {
            category: sum(row["deliveries"] for row in rows if row["category"] == category)
            for category in categories
        }
        cells = {(row["pentahelix_sector"], row["category"]): row for row in rows}
        bars = []
        for index, (sector, label) in enumerate(SECTOR_LABELS.items()):
            values = [cells.get((sector, category)) or {} for category in categories]
            if not any(values):
                continue
            bars.append(
                self.go.Bar(
                    y=labels,
                    x=[
                        _share(value.get("deliveries"), totals[category]) or 0
                        for value, category in zip(values, categories, strict=True)
                    ],
                    orientation="h",
                    customdata=[
                        [value.get("deliveries") or 0, value.get("amount_idr") or 0]
                        for value in values
                    ],
                    name=label,
                    marker_color=COLORS[index],
                    hovertemplate=f"{label} - %{{y}}: %{{x:.1%}} penyaluran (%{{customdata[0]}} penyaluran, "
                    "Rp %{customdata[1]:,.0f})<extra></extra>",
                )
            )
        layout = _layout(
            f"Porsi penyaluran menurut sektor pentahelix - tingkat kota - {self.periods[0]} s.d. {self.period}",
            "Per kategori program: bagian tiap sektor dari seluruh penyaluran (nilai rupiah pada keterangan)",
            barmode="stack",
            xaxis={"title": {"text": "Porsi penyaluran"}, "tickformat": ".0%", "range": [0, 1]},
            yaxis=_wrapped_ticks({"autorange": "reversed"}, labels, 12),
            height=TOP_MARGIN + 80 + 40 * len(categories),
        )
        # The sectors in the legend in the order of the bars, not reversed as plotly does for stacked bars.
        layout["legend"]["traceorder"] = "normal"
        return self._figure(bars, layout)

    def regional(self, region: Region) -> dict[str, dict]:
        return {
            "cakupan": self.coverage_chart(region),
            "tren-cakupan": self.coverage_trend_chart(region),
            "tertinggal": self.left_behind_chart(region),
            "verifikasi": self.verification_chart(region),
            "pemberdayaan": self.empowerment_chart(region),
        }


_SCRIPT = """
(function () {
  var payload = JSON.parse(document.getElementById('dashboard-data').textContent);
  var select = document.getElementById('wilayah');
  var message = document.getElementById('region-message');
  // The figure each chart shows, as built: its unwrapped title and its height for a one-line title.
  var sources = {};
  // Approximate advance of a character of the title (17 px) and of the subtitle (13 px), for a first wrap.
  var TITLE_CHAR_PX = 9, SUBTITLE_CHAR_PX = 6.5, GAP_PX = 10;

  function wrap(text, maxChars) {
    var lines = [];
    text.split(' ').forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && (lines[last] + ' ' + word).length <= maxChars) { lines[last] += ' ' + word; }
      else { lines.push(word); }
    });
    return lines.join('<br>');
  }
  function unionBox(elements) {
    var box = null;
    Array.prototype.forEach.call(elements, function (element) {
      var r = element.getBoundingClientRect();
      if (!r.width) { return; }
      box = box ? {left: Math.min(box.left, r.left), right: Math.max(box.right, r.right),
                   top: Math.min(box.top, r.top), bottom: Math.max(box.bottom, r.bottom)} :
                  {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
    });
    return box;
  }
  // Plotly neither wraps a title nor stacks a title and a legend above the plot: wrap the title to the chart's
  // width (narrower until it fits), then make the top margin as tall as the title and the legend measure.
  function fitChart(id, maxChars) {
    var gd = document.getElementById('chart-' + id);
    var layout = sources[id].layout;
    maxChars = maxChars || Math.max(12, Math.floor((gd.clientWidth - 24) / TITLE_CHAR_PX));
    // An explicit width: plotly's own resizing (responsive) stops once the height is set, as it is below.
    return Plotly.relayout(gd, {
      width: gd.clientWidth,
      'title.text': wrap(layout.title.text, maxChars),
      'title.subtitle.text': wrap(layout.title.subtitle.text, Math.floor(maxChars * TITLE_CHAR_PX / SUBTITLE_CHAR_PX))
    }).then(function () {
      var svg = gd.querySelector('.main-svg').getBoundingClientRect();
      var title = unionBox(gd.querySelectorAll('.gtitle, .gtitle-subtitle'));
      if (title && title.right - title.left > svg.width - 16 && maxChars > 12) {
        return fitChart(id, Math.floor(maxChars * 0.85));
      }
      // Plotly anchors a title of several lines by its first: the lines above it would stick out of the top.
      var raise = title ? Math.max(0, layout.title.pad.t - (title.top - svg.top)) : 0;
      var titleBottom = title ? title.bottom - svg.top + raise : 0;
      var legend = layout.showlegend === false ? null : gd.querySelector('.legend');
      var legendHeight = legend ? legend.getBoundingClientRect().height : 0;
      var top = Math.ceil(titleBottom + GAP_PX + (legendHeight ? legendHeight + 2 * GAP_PX : 0));
      var height = layout.height + top - layout.margin.t;
      return Plotly.relayout(gd, {
        'margin.t': top, height: height, 'legend.y': 1 - (titleBottom + GAP_PX) / height,
        'title.pad.t': layout.title.pad.t + raise
      });
    });
  }
  function draw(id, figure) {
    figure.layout.template = payload.template;
    sources[id] = figure;
    return Plotly.react('chart-' + id, figure.data, figure.layout, payload.config).then(function () {
      return fitChart(id);
    });
  }
  function show(code) {
    var figures = payload.regional[code];
    message.hidden = Boolean(figures);
    if (!figures) {
      // An unknown code (a mistyped or outdated link) must not pass for the city's figures.
      message.textContent = 'Wilayah "' + code + '" tidak ditemukan; yang ditampilkan: ' + payload.default_region_label + '.';
      code = payload.default_region;
      figures = payload.regional[code];
    }
    select.value = code;
    return Promise.all(Object.keys(figures).map(function (chart) { return draw(chart, figures[chart]); }))
      .then(function () { document.body.setAttribute('data-region', code); });
  }
  function fromHash() {
    var match = /wilayah=([^&]*)/.exec(window.location.hash);
    return match ? decodeURIComponent(match[1]) : payload.default_region;
  }
  // A new width fits every chart again (width, title, top margin); data-fitted-width says for which width it is
  // done.
  var width = window.innerWidth, pending = null;
  var city = Object.keys(payload.city).map(function (chart) { return draw(chart, payload.city[chart]); });
  Promise.all(city.concat([show(fromHash())])).then(function () {
    var charts = Array.prototype.slice.call(document.querySelectorAll('.chart'));
    var drawn = charts.filter(function (chart) { return chart.querySelector('.main-svg'); });
    document.body.setAttribute('data-charts-rendered', drawn.length + '/' + charts.length);
    document.body.setAttribute('data-fitted-width', String(width));
  }).catch(function (error) { window.reportPageError(String(error && error.stack || error)); });
  select.addEventListener('change', function () {
    window.location.hash = 'wilayah=' + encodeURIComponent(select.value);
  });
  window.addEventListener('hashchange', function () { show(fromHash()); });
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      if (window.innerWidth === width) { return; }
      width = window.innerWidth;
      Promise.all(Object.keys(sources).map(function (id) { return fitChart(id); }))
        .then(function () { document.body.setAttribute('data-fitted-width', String(width)); })
        .catch(function (error) { window.reportPageError(String(error && error.stack || error)); });
    }, 200);
  });
})();
"""

# Runs before anything else: every uncaught error, rejected promise or console.error is written into the page, where a headless
# browser's DOM dump (and a person) can see it.
_ERROR_TRAP = """
window.reportPageError = function (message) {
  var box = document.getElementById('page-errors');
  box.hidden = false;
  box.textContent += message + '\\n';
};
window.addEventListener('error', function (event) { window.reportPageError('error: ' + event.message); });
var consoleError = console.error;
console.error = function () {
  window.reportPageError('console.error: ' + Array.prototype.join.call(arguments, ' '));
  consoleError.apply(console, arguments);
};
window.addEventListener('unhandledrejection', function (event) {
  window.reportPageError('unhandled rejection: ' + String(event.reason));
});
"""

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; margin: 0; color: #222; }
header { background: #0b4f8a; color: #fff; padding: 16px 24px; }
header h1 { margin: 0 0 4px; font-size: 1.5em; }
header p { margin: 2px 0; }
nav { padding: 12px 24px; background: #f2f5f9; border-bottom: 1px solid #d5dde8; position: sticky; top: 0; z-index: 5; }
#region-message { margin: 8px 0 0; padding: 6px 8px; background: #fff3cd; border: 1px solid #e0b400; }
nav label { font-weight: 600; margin-right: 8px; }
nav select { font-size: 1em; padding: 4px; max-width: 100%; }
nav ul { list-style: none; padding: 0; margin: 8px 0 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
main { padding: 8px 24px 32px; max-width: 1200px; }
section { margin-top: 24px; }
section h2 { font-size: 1.15em; margin: 0 0 4px; }
section p.note { margin: 0 0 8px; color: #555; }
.chart { min-height: 420px; }
#page-errors { color: #b00020; white-space: pre-wrap; }
footer { padding: 16px 24px; color: #555; font-size: 0.9em; }
/* A phone: the charts get the width, and the menu scrolls away instead of covering half the screen. */
@media (max-width: 600px) {
  header, nav, footer { padding-left: 8px; padding-right: 8px; }
  main { padding: 4px 8px 24px; }
  nav { position: static; }
}
"""

_NOTES = {
    "cakupan": "Di antara keluarga miskin ekstrem (desil nasional 1): keluarga yang kebutuhannya terpenuhi dibagi "
    "keluarga yang membutuhkan, per akhir periode terbaru.",
    "tren-cakupan": "Cakupan tiap kebutuhan dasar dari periode ke periode.",
    "tertinggal": "Keluarga miskin ekstrem tanpa satu pun bantuan tercatat dalam 12 bulan terakhir, per periode, "
    "dibandingkan dengan seluruh keluarga miskin ekstrem.",
    "verifikasi": "Keluarga miskin (ekstrem dan miskin) yang verifikasi terakhirnya oleh kelurahan dalam 6 bulan "
    "terakhir.",
    "pemberdayaan": "Anggota usia produktif keluarga miskin: lulus pelatihan, lalu punya usaha, mendapat KUR, dan "
    "bekerja atau berwirausaha.",
    "sasaran": "Tingkat kota (laporan ini tidak dirinci per wilayah). Salah sasaran: keluarga penerima yang tidak "
    "layak; belum menerima: keluarga layak yang tidak menerima.",
    "mitra": "Tingkat kota (laporan ini tidak dirinci per wilayah). Siapa yang ikut menanggung: pemerintah, "
    "akademisi, dunia usaha, media dan komunitas.",
}


def _region_options(regions: list[Region], names: dict[str, str]) -> str:
    groups: dict[str, list[str]] = defaultdict(list)
    for region in regions:
        label = (
            region.label
            if region.level != "kelurahan"
            else (f"{region.label} (Kec. {names.get(region.parent or '', '')})")
        )
        groups[region.level].append(
            f'<option value="{html.escape(region.code)}">{html.escape(label)}</option>'
        )
    titles = {"kota": "Kota", "kecamatan": "Kecamatan", "kelurahan": "Kelurahan"}
    return "".join(
        f'<optgroup label="{titles[level]}">{"".join(options)}</optgroup>'
        for level, options in groups.items()
    )


def render_dashboard(
    connection: duckdb.DuckDBPyConnection, built_at: dt.datetime | None = None
) -> str:
    """The whole page as a string, from the analytics file's reports."""
    import plotly.io as pio
    from plotly.offline import get_plotlyjs
    from plotly.utils import PlotlyJSONEncoder

    charts = _Charts(connection)
    payload = {
        "default_region": charts.kota.code,
        "default_region_label": charts.kota.label,
        "config": CHART_CONFIG,
        "template": _rounded(pio.templates[TEMPLATE].to_plotly_json()),
        "regional": {region.code: charts.regional(region) for region in charts.regions},
        "city": {"sasaran": charts.targeting_chart(), "mitra": charts.partner_chart()},
    }
    # `</` cannot end the JSON's script element early.
    data = json.dumps(payload, cls=PlotlyJSONEncoder, separators=(",", ":")).replace("</", "<\\/")
    names = {region.code: region.name for region in charts.regions}
    built = (built_at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    sections = "".join(
        f'<section id="{chart}"><h2>{html.escape(title)}</h2><p class="note">{html.escape(_NOTES[chart])}</p>'
        f'<div class="chart" id="chart-{chart}"></div></section>'
        for chart, title in (*REGIONAL_CHARTS, *CITY_CHARTS)
    )
    links = "".join(
        f'<li><a href="#{chart}">{html.escape(title)}</a></li>'
        for chart, title in (*REGIONAL_CHARTS, *CITY_CHARTS)
    )
    return f"""<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dasbor Penanggulangan Kemiskinan {html.escape(charts.kota.name)} - {charts.period}</title>
<style>{_STYLE}</style>
<script>{_ERROR_TRAP}</script>
</head>
<body>
<header>
<h1>Dasbor Penanggulangan Kemiskinan {html.escape(charts.kota.name)}</h1>
<p>Periode terbaru: {html.escape(period_label(charts.period))} &middot; data {charts.periods[0]} s.d. {charts.period}</p>
<p>Dibuat {built} dari berkas analitik TKPKD (tanpa data pribadi).</p>
</header>
<nav>
<label for="wilayah">Wilayah</label>
<select id="wilayah">{_region_options(charts.regions, names)}</select>
<p id="region-message" role="status" hidden></p>
<ul>{links}</ul>
</nav>
<main>
<pre id="page-errors" hidden></pre>
{sections}
</main>
<footer>Sumber: laporan rpt_* berkas analitik gudang data TKPKD. Angka kecil tidak disensor di dasbor internal ini;
data terbuka (open data) yang disensor ada di folder open_data.</footer>
<script>{get_plotlyjs()}</script>
<script type="application/json" id="dashboard-data">{data}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def build_dashboard(connection: duckdb.DuckDBPyConnection, folder: Path) -> Path:
    """Write `<folder>/index.html` atomically and return its path."""
    target = folder / "index.html"
    page = render_dashboard(connection)
    sweep_debris(folder)
    with atomic_file(target) as staging:
        staging.write_text(page, encoding="utf-8")
    return target
