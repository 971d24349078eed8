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


def _layout(title: str, **extra: Any) -> dict:
    return {
        "title": {"text": title, "x": 0.01, "xanchor": "left"},
        # Indonesian number format: 1.234.567,8
        "separators": ",.",
        "margin": {"l": 70, "r": 20, "t": 60, "b": 70},
        "height": 420,
        "legend": {"orientation": "h", "y": -0.18},
        "template": "plotly_white",
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
        return _rounded(self.go.Figure(data=data, layout=layout).to_plotly_json())

    def coverage_chart(self, region: Region) -> dict:
        rows = [self.coverage.get((self.period, region.code, need)) or {} for need in NEED_LABELS]
        families = rows[0].get("ekstrem_families") or 0
        bar = self.go.Bar(
            x=list(NEED_LABELS.values()),
            y=[row.get("coverage") for row in rows],
            text=[
                f"{row.get('met_families') or 0} dari {row.get('need_families') or 0}"
                for row in rows
            ],
            textposition="outside",
            marker_color=COLORS[0],
            name="Cakupan",
            hovertemplate="%{x}: %{y:.1%} (%{text} keluarga)<extra></extra>",
        )
        note = (
            f"{families} keluarga miskin ekstrem"
            if families
            else "Tidak ada keluarga miskin ekstrem pada periode ini"
        )
        return self._figure(
            [bar],
            _layout(
                f"Cakupan kebutuhan dasar - {region.label} - {period_label(self.period)}<br>"
                f"<sup>{note}; label: keluarga terpenuhi dari yang membutuhkan</sup>",
                yaxis={
                    "title": {"text": "Cakupan (% keluarga yang membutuhkan)"},
                    "tickformat": ".0%",
                    "range": [0, 1.15],
                },
                xaxis={"title": {"text": "Kebutuhan dasar"}},
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
                f"Tren cakupan kebutuhan dasar keluarga miskin ekstrem - {region.label}",
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
                f"Keluarga miskin ekstrem yang tertinggal - {region.label}<br>"
                "<sup>Tidak menerima bantuan apa pun (program mana pun, anggota mana pun) dalam 12 bulan terakhir</sup>",
                yaxis={"title": {"text": "Jumlah keluarga"}, "rangemode": "tozero"},
                xaxis={"title": {"text": "Periode"}, "type": "category"},
            ),
        )

    def verification_chart(self, region: Region) -> dict:
        rows = [self.verification.get((period, region.code)) or {} for period in self.periods]
        poor = [row.get("poor_families") or 0 for row in rows]
        verified = [row.get("verified_families") or 0 for row in rows]
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
                    y=[_share(v, p) for v, p in zip(verified, poor, strict=True)],
                    name="Persentase terverifikasi",
                    yaxis="y2",
                    mode="lines+markers",
                    line={"color": COLORS[0]},
                    hovertemplate="%{x}: %{y:.1%}<extra></extra>",
                ),
            ],
            _layout(
                f"Kemajuan verifikasi keluarga miskin - {region.label}",
                barmode="stack",
                yaxis={"title": {"text": "Keluarga miskin"}, "rangemode": "tozero"},
                yaxis2={
                    "title": {"text": "Persentase terverifikasi"},
                    "overlaying": "y",
                    "side": "right",
                    "tickformat": ".0%",
                    "range": [0, 1.05],
                    "dtick": 0.2,
                },
                xaxis={"title": {"text": "Periode"}, "type": "category"},
                margin={"l": 70, "r": 70, "t": 60, "b": 70},
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
        return self._figure(
            [
                self.go.Funnel(
                    y=list(steps),
                    x=[row.get(column) or 0 for column in steps.values()],
                    textinfo="value+percent previous",
                    marker={"color": COLORS[4]},
                )
            ],
            _layout(
                f"Alur pemberdayaan ekonomi anggota keluarga miskin - {region.label} - {period_label(self.period)}<br>"
                "<sup>Persentase: dari langkah sebelumnya</sup>",
                margin={"l": 170, "r": 20, "t": 60, "b": 40},
            ),
        )

    def targeting_chart(self) -> dict:
        # Transfers paid per tahap have no recipients in months without a payout: each programme's newest period
        # with deliveries is the one to read (see rpt_targeting).
        rows = records(
            self.connection,
            "select program_code, program_name, period, inclusion_error, exclusion_error, recipient_families, "
            "eligible_families from rpt_targeting where deliveries > 0 and period <= ? "
            "qualify row_number() over (partition by program_code order by period desc) = 1 order by program_code",
            [self.period],
        )
        labels = [f"{row['program_code']} ({row['period']})" for row in rows]
        custom = [
            [row["program_name"], row["recipient_families"], row["eligible_families"]]
            for row in rows
        ]
        return self._figure(
            [
                self.go.Bar(
                    x=labels,
                    y=[row["inclusion_error"] for row in rows],
                    name="Salah sasaran (inclusion error)",
                    marker_color=COLORS[3],
                    customdata=custom,
                    hovertemplate="%{customdata[0]}<br>%{y:.1%} dari %{customdata[1]} keluarga penerima"
                    "<extra></extra>",
                ),
                self.go.Bar(
                    x=labels,
                    y=[row["exclusion_error"] for row in rows],
                    name="Belum menerima (exclusion error)",
                    marker_color=COLORS[1],
                    customdata=custom,
                    hovertemplate="%{customdata[0]}<br>%{y:.1%} dari %{customdata[2]} keluarga layak"
                    "<extra></extra>",
                ),
            ],
            _layout(
                "Ketepatan sasaran per program - tingkat kota<br>"
                "<sup>Periode terbaru dengan penyaluran untuk tiap program (dalam kurung)</sup>",
                barmode="group",
                yaxis={
                    "title": {"text": "Persentase keluarga"},
                    "tickformat": ".0%",
                    "range": [0, 1.05],
                },
                xaxis={"title": {"text": "Program"}, "tickangle": -30},
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
                    x=[category.replace("_", " ").capitalize() for category in categories],
                    y=[
                        _share(value.get("deliveries"), totals[category]) or 0
                        for value, category in zip(values, categories, strict=True)
                    ],
                    customdata=[
                        [value.get("deliveries") or 0, value.get("amount_idr") or 0]
                        for value in values
                    ],
                    name=label,
                    marker_color=COLORS[index],
                    hovertemplate=f"{label} - %{{x}}: %{{y:.1%}} penyaluran (%{{customdata[0]}} penyaluran, "
                    "Rp %{customdata[1]:,.0f})<extra></extra>",
                )
            )
        return self._figure(
            bars,
            _layout(
                f"Porsi penyaluran menurut sektor pentahelix - tingkat kota - {self.periods[0]} s.d. {self.period}<br>"
                "<sup>Per kategori program: bagian tiap sektor dari seluruh penyaluran (nilai rupiah pada keterangan)</sup>",
                barmode="stack",
                yaxis={"title": {"text": "Porsi penyaluran"}, "tickformat": ".0%", "range": [0, 1]},
                xaxis={"title": {"text": "Kategori program"}},
                height=480,
                margin={"l": 70, "r": 20, "t": 60, "b": 130},
            ),
        )

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
  function show(code) {
    var figures = payload.regional[code];
    if (!figures) { code = payload.default_region; figures = payload.regional[code]; }
    select.value = code;
    var rendered = [];
    Object.keys(figures).forEach(function (chart) {
      var figure = figures[chart];
      rendered.push(Plotly.react('chart-' + chart, figure.data, figure.layout, payload.config));
    });
    return Promise.all(rendered).then(function () {
      document.body.setAttribute('data-region', code);
    });
  }
  function fromHash() {
    var match = /wilayah=([^&]+)/.exec(window.location.hash);
    return match ? decodeURIComponent(match[1]) : payload.default_region;
  }
  var city = Object.keys(payload.city).map(function (chart) {
    var figure = payload.city[chart];
    return Plotly.newPlot('chart-' + chart, figure.data, figure.layout, payload.config);
  });
  Promise.all(city.concat([show(fromHash())])).then(function () {
    var charts = Array.prototype.slice.call(document.querySelectorAll('.chart'));
    var drawn = charts.filter(function (chart) { return chart.querySelector('.main-svg'); });
    document.body.setAttribute('data-charts-rendered', drawn.length + '/' + charts.length);
  }).catch(function (error) { window.reportPageError(String(error && error.stack || error)); });
  select.addEventListener('change', function () {
    window.location.hash = 'wilayah=' + encodeURIComponent(select.value);
  });
  window.addEventListener('hashchange', function () { show(fromHash()); });
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
"""

_NOTES = {
    "cakupan": "Di antara keluarga miskin ekstrem (desil nasional 1): keluarga yang kebutuhannya terpenuhi dibagi "
    "keluarga yang membutuhkan, per akhir periode terbaru.",
    "tren-cakupan": "Cakupan tiap kebutuhan dasar dari periode ke periode.",
    "tertinggal": "Keluarga miskin ekstrem tanpa satu pun bantuan tercatat dalam 12 bulan terakhir: "
    "tidak ada warga yang tertinggal.",
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
    from plotly.offline import get_plotlyjs
    from plotly.utils import PlotlyJSONEncoder

    charts = _Charts(connection)
    payload = {
        "default_region": charts.kota.code,
        "config": CHART_CONFIG,
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
