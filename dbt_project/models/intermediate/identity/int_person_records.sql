{#
  Every person row of every source (the accepted, deduplicated staging rows of the sources that name a person),
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
  identifiers and names to the warehouse costs half a minute at city scale. A table on Spark, where a stored view
  cannot call the session's functions (the parsers: orchestration/spark.py).
#}
{{ config(materialized='view' if target.type == 'duckdb' else 'table') }}
{#-
  The sources come from the `persons` entry of each `staging` block in sources.yaml (staged name, birth date and
  sex columns, the raw NIK column, where the place is); what only SQL can say of a source (a context, a service's
  group, sex or age) is here.
#}
{%- set person_sql = {
    'jkn': {'context': "'jkn|' || stg.noka"},
    'layanan_kesehatan': {
        'context': "'puskesmas|' || upper(stg.puskesmas)",
        'service_group': "case when stg.service_type in ('ANC', 'PERSALINAN') then 'MATERNAL'"
            ~ " when stg.service_type in ('PEMERIKSAAN_BALITA', 'IMUNISASI') then 'CHILD'"
            ~ " when stg.service_type = 'PENGOBATAN_PTM' then 'PTM' when stg.service_type = 'PENGOBATAN_TB' then 'TB' end",
        'sex': "case when stg.service_type in ('ANC', 'PERSALINAN') then 'P' end",
        'born_on_or_after': "case when stg.service_type in ('PEMERIKSAAN_BALITA', 'IMUNISASI')"
            ~ " then cast(stg.service_date - interval 6 year as date) end",
    },
    'air_bersih': {'context': "'pdam|' || stg.connection_number"},
    'umkm': {'context': "'umkm|' || stg.business_key"},
} %}
{%- set sources = staging_sources() | selectattr('persons') | list %}

with records as (
    {%- for item in sources %}
    {%- set s = item.persons %}
    {%- set special = person_sql.get(item.source, {}) %}
    select
        '{{ item.source }}' as source,
        stg._source_file || '#' || cast(stg._row_number as string) as record_id,
        stg._source_file,
        stg._row_number,
        stg._period,
        stg.nik,
        stg.nik_status,
        coalesce(stg.nik, damaged.surviving_digits) as nik_surviving_digits,
        {{ 'stg.' ~ item.kk_column if item.kk_column else 'cast(null as string)' }} as kk_number,
        {{ 'stg.' ~ s.name }} as full_name,
        {{ 'stg.' ~ s.birth_date if s.birth_date else 'cast(null as date)' }} as birth_date,
        {{ 'stg.' ~ s.sex if s.sex else special.sex or 'cast(null as string)' }} as sex,
        {{ special.born_on_or_after or 'cast(null as date)' }} as born_on_or_after,
        {%- if s.place == 'dtsen_family' %}
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
        cast(null as string) as kelurahan_code,
        cast(null as integer) as rw,
        cast(null as integer) as rt,
        {%- endif %}
        {{ special.context or 'cast(null as string)' }} as context,
        {{ special.service_group or 'cast(null as string)' }} as service_group
    from {{ ref(item.stg) }} as stg
    -- the raw value only for the few Excel-damaged NIKs: what survived of them
    left join (
        select
            _file_hash,
            _source_file,
            _row_number,
            {{ excel_surviving_digits('_raw.' ~ s.raw_nik) }} as surviving_digits
        from {{ ref(item.base) }}
        where nik_status = 'excel_damaged'
    ) as damaged
        on stg.nik_status = 'excel_damaged'
        and damaged._file_hash = stg._file_hash
        and damaged._source_file = stg._source_file
        and damaged._row_number = stg._row_number
    {%- if s.place == 'dtsen_family' %}
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
