{#
  Every person row of every source (the accepted, deduplicated staging rows of the 13 sources that name a person),
  in one shape, with what identity resolution needs. Restricted: schema `intermediate`.
  - record_id: `_source_file#_row_number`, the row as the agency can find it;
  - nik / nik_status from staging; nik_surviving_digits: the valid NIK, or what Excel left of a damaged one
    (excel_surviving_digits);
  - the describing fields a source has (name, birth date, sex, KK number, kelurahan, RW, RT), NULL where it has none;
    a DTSEN member's place is its family's DTSEN record of the same period;
  - what a puskesmas service says of the person: ANC and PERSALINAN are women's services (sex `P`), a child
    check-up (PEMERIKSAAN_BALITA) or immunisation is for a child, born at most six years before the service
    (born_on_or_after); the linkage compares these with the birth date and sex known elsewhere;
  - context: a source-specific thing only the same person would share across rows: the PDAM connection, the JKN card,
    the UMKM business, the puskesmas;
  - service_group: what brings a person back to the puskesmas: MATERNAL (ANC, PERSALINAN), CHILD (check-ups,
    immunisation), PTM, TB; NULL for a general check-up, which few repeat;
  - nik_check: the NIK against the row's own birth date and sex (nik_birth_check);
  - needs_linkage: the row has no valid NIK (Excel-damaged, missing, or invalid where another key kept the row).
  Rows quarantined for an invalid NIK (quarantine.quarantined_rows) are not here: their NIK was the row's key and the
  agency must correct them.
  A view: a union of the staging tables that costs seconds to read, where writing its ten million rows of
  identifiers and names to the warehouse costs half a minute at city scale.
#}
{{ config(materialized='view') }}
{%- set sources = [
    {'source': 'dtsen_individu', 'model': 'stg_dtsen__members', 'base': 'base_dtsen__members',
     'raw_nik': 'nomor_induk_kependudukan', 'name': 'full_name', 'birth_date': 'birth_date', 'sex': 'sex',
     'kk': 'kk_number', 'place': 'dtsen'},
    {'source': 'dukcapil', 'model': 'stg_dukcapil__residents', 'base': 'base_dukcapil__residents', 'raw_nik': 'nik',
     'name': 'full_name', 'birth_date': 'birth_date', 'sex': 'sex', 'kk': 'kk_number', 'place': 'row'},
    {'source': 'verifikasi_kelurahan', 'model': 'stg_verifikasi__verifications',
     'base': 'base_verifikasi__verifications', 'raw_nik': 'nik_kepala_keluarga', 'name': 'head_of_family_name',
     'kk': 'kk_number', 'place': 'row'},
    {'source': 'bansos', 'model': 'stg_bansos__payouts', 'base': 'base_bansos__payouts', 'raw_nik': 'nik',
     'name': 'recipient_name', 'kk': 'kk_number', 'place': 'kelurahan'},
    {'source': 'jkn', 'model': 'stg_jkn__memberships', 'base': 'base_jkn__memberships', 'raw_nik': 'nik',
     'name': 'full_name', 'birth_date': 'birth_date', 'context': "'jkn|' || stg.noka"},
    {'source': 'layanan_kesehatan', 'model': 'stg_layanan_kesehatan__services',
     'base': 'base_layanan_kesehatan__services', 'raw_nik': 'nik', 'name': 'full_name',
     'context': "'puskesmas|' || upper(stg.puskesmas)",
     'service_group': "case when stg.service_type in ('ANC', 'PERSALINAN') then 'MATERNAL'"
         ~ " when stg.service_type in ('PEMERIKSAAN_BALITA', 'IMUNISASI') then 'CHILD'"
         ~ " when stg.service_type = 'PENGOBATAN_PTM' then 'PTM' when stg.service_type = 'PENGOBATAN_TB' then 'TB' end",
     'sex_expr': "case when stg.service_type in ('ANC', 'PERSALINAN') then 'P' end",
     'born_on_or_after': "case when stg.service_type in ('PEMERIKSAAN_BALITA', 'IMUNISASI')"
         ~ " then cast(stg.service_date - interval 6 year as date) end"},
    {'source': 'rtlh', 'model': 'stg_rtlh__houses', 'base': 'base_rtlh__houses', 'raw_nik': 'nik_kepala_keluarga',
     'name': 'head_of_family_name', 'kk': 'kk_number', 'place': 'row'},
    {'source': 'air_bersih', 'model': 'stg_air_bersih__connections', 'base': 'base_air_bersih__connections',
     'raw_nik': 'nik_pelanggan', 'name': 'customer_name', 'place': 'kelurahan',
     'context': "'pdam|' || stg.connection_number"},
    {'source': 'sanitasi', 'model': 'stg_sanitasi__assistance', 'base': 'base_sanitasi__assistance', 'raw_nik': 'nik',
     'name': 'full_name', 'kk': 'kk_number', 'place': 'row'},
    {'source': 'pelatihan', 'model': 'stg_pelatihan__trainings', 'base': 'base_pelatihan__trainings', 'raw_nik': 'nik',
     'name': 'full_name', 'sex': 'sex'},
    {'source': 'umkm', 'model': 'stg_umkm__businesses', 'base': 'base_umkm__businesses', 'raw_nik': 'nik_pemilik',
     'name': 'owner_name', 'context': "'umkm|' || stg.business_key"},
    {'source': 'kur', 'model': 'stg_kur__loans', 'base': 'base_kur__loans', 'raw_nik': 'nik_debitur',
     'name': 'debtor_name'},
    {'source': 'mitra', 'model': 'stg_mitra__deliveries', 'base': 'base_mitra__deliveries', 'raw_nik': 'nik_penerima',
     'name': 'recipient_name', 'kk': 'kk_number', 'place': 'kelurahan'},
] %}

with records as (
    {%- for s in sources %}
    select
        '{{ s.source }}' as source,
        stg._source_file || '#' || cast(stg._row_number as varchar) as record_id,
        stg._source_file,
        stg._row_number,
        stg._period,
        stg.nik,
        stg.nik_status,
        coalesce(stg.nik, damaged.surviving_digits) as nik_surviving_digits,
        {{ 'stg.' ~ s.kk if s.kk else 'cast(null as varchar)' }} as kk_number,
        {{ 'stg.' ~ s.name }} as full_name,
        {{ 'stg.' ~ s.birth_date if s.birth_date else 'cast(null as date)' }} as birth_date,
        {{ 'stg.' ~ s.sex if s.sex else s.sex_expr or 'cast(null as varchar)' }} as sex,
        {{ s.born_on_or_after or 'cast(null as date)' }} as born_on_or_after,
        {%- if s.place == 'dtsen' %}
        families.kelurahan_code,
        families.rw,
        families.rt,
        {%- elif s.place == 'row' %}
        stg.kelurahan_code,
        stg.rw,
        stg.rt,
        {%- elif s.place == 'kelurahan' %}
        stg.kelurahan_code,
        cast(null as integer) as rw,
        cast(null as integer) as rt,
        {%- else %}
        cast(null as varchar) as kelurahan_code,
        cast(null as integer) as rw,
        cast(null as integer) as rt,
        {%- endif %}
        {{ s.context if s.context else 'cast(null as varchar)' }} as context,
        {{ s.service_group or 'cast(null as varchar)' }} as service_group
    from {{ ref(s.model) }} as stg
    -- the raw value only for the few Excel-damaged NIKs: what survived of them
    left join (
        select _file_hash, _source_file, _row_number, {{ excel_surviving_digits('_raw.' ~ s.raw_nik) }} as surviving_digits
        from {{ ref(s.base) }}
        where nik_status = 'excel_damaged'
    ) as damaged
        on stg.nik_status = 'excel_damaged'
        and damaged._file_hash = stg._file_hash
        and damaged._source_file = stg._source_file
        and damaged._row_number = stg._row_number
    {%- if s.place == 'dtsen' %}
    left join {{ ref('stg_dtsen__families') }} as families
        on families.kk_number = stg.kk_number
        and families._period = stg._period
    {%- endif %}
    {{ "union all" if not loop.last }}
    {%- endfor %}
)

select
    records.*,
    {{ nik_birth_check('records.nik', 'records.birth_date', 'records.sex') }} as nik_check,
    records.nik is null as needs_linkage
from records
