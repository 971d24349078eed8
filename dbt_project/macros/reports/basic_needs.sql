{#
  The six basic needs of docs/contract/warehouse.md ("Basic needs") and the agency responsible for each unmet
  need (the "Reports" table: pangan Dinas Sosial, rumah Dinas Perkim, air PDAM, sanitasi Dinas PUPR, jaminan_sosial
  and kesehatan Dinas Kesehatan). agency_code is the code of seeds/ref_agencies.csv.
#}
{% macro report_basic_needs() %}
{{ return([
    {'need': 'pangan', 'order': 1, 'agency_code': 'DINSOS', 'agency': 'Dinas Sosial'},
    {'need': 'rumah', 'order': 2, 'agency_code': 'DISPERKIM', 'agency': 'Dinas Perkim'},
    {'need': 'air', 'order': 3, 'agency_code': 'PDAM', 'agency': 'PDAM'},
    {'need': 'sanitasi', 'order': 4, 'agency_code': 'DPUPR', 'agency': 'Dinas PUPR'},
    {'need': 'jaminan_sosial', 'order': 5, 'agency_code': 'DINKES', 'agency': 'Dinas Kesehatan'},
    {'need': 'kesehatan', 'order': 6, 'agency_code': 'DINKES', 'agency': 'Dinas Kesehatan'},
]) }}
{% endmacro %}

{# The needs as a relation: need, need_order, responsible_agency_code, responsible_agency. #}
{% macro report_basic_needs_relation() %}
    {%- for item in report_basic_needs() %}
    select
        '{{ item.need }}' as need,
        {{ item.order }} as need_order,
        '{{ item.agency_code }}' as responsible_agency_code,
        '{{ item.agency }}' as responsible_agency
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{% endmacro %}

{# `case need when 'pangan' then <prefix>pangan ... end`: picks the need_/met_ column of the row's need. #}
{% macro report_need_column(need_expression, prefix, relation_alias='') %}
    case {{ need_expression }}
    {%- for item in report_basic_needs() %}
        when '{{ item.need }}' then {{ relation_alias ~ '.' if relation_alias else '' }}{{ prefix }}{{ item.need }}
    {%- endfor %}
    end
{% endmacro %}

{# Share as a DOUBLE, NULL when the denominator is 0 or NULL. #}
{% macro report_share(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif({{ denominator }}, 0))
{%- endmacro %}

{# `YYYY-MM` of a date expression. #}
{% macro report_period_of(date_expression) -%}
    {{ tkpkd_period_of(date_expression) }}
{%- endmacro %}

{#
  The regions a report publishes at every level above the RW: the kota (ref_regions), each kecamatan and each
  kelurahan of dim_region, whether or not anybody is counted there (a report joins its counts to these rows and
  writes 0 where none). Columns: region_level, region_code, region_name, kecamatan_code, kecamatan_name,
  kelurahan_code, kelurahan_name (the codes of the levels below the row's own are NULL).
#}
{% macro report_upper_regions() %}
    select
        'kota' as region_level,
        kota.region_code,
        kota.region_name,
        cast(null as string) as kecamatan_code,
        cast(null as string) as kecamatan_name,
        cast(null as string) as kelurahan_code,
        cast(null as string) as kelurahan_name
    from {{ ref('ref_regions') }} as kota
    where kota.region_level = 'kota'
    union all
    select distinct
        'kecamatan',
        kecamatan_code,
        kecamatan_name,
        kecamatan_code,
        kecamatan_name,
        cast(null as string),
        cast(null as string)
    from {{ ref('dim_region') }}
    union all
    select distinct
        'kelurahan',
        kelurahan_code,
        kelurahan_name,
        kecamatan_code,
        kecamatan_name,
        kelurahan_code,
        kelurahan_name
    from {{ ref('dim_region') }}
{% endmacro %}

{#
  The region level of a row of `group by grouping sets` over the region columns, from the kota down:
  `columns` are the grouping columns of the levels below the kota, in order (kecamatan_code, kelurahan_code, then
  for RW and RT rows rw, region_key); the row's level is the first whose column is rolled up.
#}
{% macro report_region_level(columns) -%}
    {%- set levels = ['kota', 'kecamatan', 'kelurahan', 'rw', 'rt'] -%}
    case
    {%- for column in columns %}
        when grouping({{ column }}) = 1 then '{{ levels[loop.index0] }}'
    {%- endfor %}
        else '{{ levels[columns | length] }}'
    end
{%- endmacro %}

{# Join condition: a row of report_upper_regions() and the aggregated row of the same region (same level and code). #}
{% macro report_upper_region_matches(aggregated, upper) -%}
    {{ aggregated }}.region_level = {{ upper }}.region_level
        and ({{ upper }}.region_level = 'kota'
            or ({{ upper }}.region_level = 'kecamatan' and {{ aggregated }}.kecamatan_code = {{ upper }}.kecamatan_code)
            or ({{ upper }}.region_level = 'kelurahan' and {{ aggregated }}.kelurahan_code = {{ upper }}.kelurahan_code))
{%- endmacro %}
