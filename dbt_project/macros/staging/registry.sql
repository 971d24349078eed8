{#
  The fourteen contract sources and their staging models, in one place: stg_row_outcomes, stg_dedup_stats and
  quarantine.quarantined_rows loop over this list. `kind` follows docs/contract/sources.md: a snapshot source
  deduplicates within each period, an event source across all periods.
#}
{% macro staging_sources() %}
{{ return([
    {'source': 'dtsen_keluarga', 'base': 'base_dtsen__families', 'stg': 'stg_dtsen__families', 'kind': 'snapshot'},
    {'source': 'dtsen_individu', 'base': 'base_dtsen__members', 'stg': 'stg_dtsen__members', 'kind': 'snapshot'},
    {'source': 'dukcapil', 'base': 'base_dukcapil__residents', 'stg': 'stg_dukcapil__residents', 'kind': 'snapshot'},
    {'source': 'verifikasi_kelurahan', 'base': 'base_verifikasi__verifications', 'stg': 'stg_verifikasi__verifications', 'kind': 'event'},
    {'source': 'bansos', 'base': 'base_bansos__payouts', 'stg': 'stg_bansos__payouts', 'kind': 'event'},
    {'source': 'jkn', 'base': 'base_jkn__memberships', 'stg': 'stg_jkn__memberships', 'kind': 'snapshot'},
    {'source': 'layanan_kesehatan', 'base': 'base_layanan_kesehatan__services', 'stg': 'stg_layanan_kesehatan__services', 'kind': 'event'},
    {'source': 'rtlh', 'base': 'base_rtlh__houses', 'stg': 'stg_rtlh__houses', 'kind': 'event'},
    {'source': 'air_bersih', 'base': 'base_air_bersih__connections', 'stg': 'stg_air_bersih__connections', 'kind': 'snapshot'},
    {'source': 'sanitasi', 'base': 'base_sanitasi__assistance', 'stg': 'stg_sanitasi__assistance', 'kind': 'event'},
    {'source': 'pelatihan', 'base': 'base_pelatihan__trainings', 'stg': 'stg_pelatihan__trainings', 'kind': 'event'},
    {'source': 'umkm', 'base': 'base_umkm__businesses', 'stg': 'stg_umkm__businesses', 'kind': 'snapshot'},
    {'source': 'kur', 'base': 'base_kur__loans', 'stg': 'stg_kur__loans', 'kind': 'event'},
    {'source': 'mitra', 'base': 'base_mitra__deliveries', 'stg': 'stg_mitra__deliveries', 'kind': 'event'},
]) }}
{% endmacro %}
