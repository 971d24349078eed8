{#
  Surrogate keys and period helpers of the marts (docs/design.md, "Marts"). md5 keys are surrogate keys, not
  secrets; person_key and family_key are pseudonyms and come only from int_person_identities /
  int_family_identities (the pseudonym() function of the dbt-duckdb plugin), never from these macros.
#}

{# region_key = md5 of `kelurahan_code|rw|rt`. Where RW or RT is unknown the region is the kelurahan itself: md5 of
   `kelurahan_code||` (dim_region has one such row per kelurahan). NULL when the kelurahan is unknown. #}
{% macro tkpkd_region_key(kelurahan_code, rw, rt) -%}
(case when {{ kelurahan_code }} is not null then md5(
    {{ kelurahan_code }} || '|' || (case when {{ rw }} is not null and {{ rt }} is not null
        then cast({{ rw }} as string) || '|' || cast({{ rt }} as string) else '|' end)
) end)
{%- endmacro %}


{# program_key = md5 of program_code. #}
{% macro tkpkd_program_key(program_code) -%}
md5({{ program_code }})
{%- endmacro %}


{# The agency name as keyed: whitespace collapsed, trimmed, upper case. #}
{% macro tkpkd_agency_name_key(agency_name) -%}
upper(trim({{ tkpkd_regexp_replace(agency_name, "'\\s+'", "' '") }}))
{%- endmacro %}


{# agency_key = md5 of the upper-cased agency name (whitespace collapsed). #}
{% macro tkpkd_agency_key(agency_name) -%}
md5({{ tkpkd_agency_name_key(agency_name) }})
{%- endmacro %}


{# date_key = yyyymmdd as INTEGER. #}
{% macro tkpkd_date_key(date_expr) -%}
cast(year({{ date_expr }}) * 10000 + month({{ date_expr }}) * 100 + day({{ date_expr }}) as integer)
{%- endmacro %}


{# The period (`YYYY-MM`) a date falls in. #}
{% macro tkpkd_period_of(date_expr) -%}
{{- return(adapter.dispatch('tkpkd_period_of', 'tkpkd')(date_expr)) -}}
{%- endmacro %}

{% macro default__tkpkd_period_of(date_expr) -%}
strftime({{ date_expr }}, '%Y-%m')
{%- endmacro %}

{% macro spark__tkpkd_period_of(date_expr) -%}
date_format({{ date_expr }}, 'yyyy-MM')
{%- endmacro %}


{# A period `YYYY-MM` as a month number (year * 12 + month - 1): consecutive months differ by one, so "P or the two
   months before" is `month_number between P - 2 and P`. #}
{% macro tkpkd_month_number(period_expr) -%}
(cast(substr({{ period_expr }}, 1, 4) as integer) * 12 + cast(substr({{ period_expr }}, 6, 2) as integer) - 1)
{%- endmacro %}


{# The first day of a period `YYYY-MM`. #}
{% macro tkpkd_period_start(period_expr) -%}
{{- return(adapter.dispatch('tkpkd_period_start', 'tkpkd')(period_expr)) -}}
{%- endmacro %}

{% macro default__tkpkd_period_start(period_expr) -%}
cast(strptime({{ period_expr }} || '-01', '%Y-%m-%d') as date)
{%- endmacro %}

{% macro spark__tkpkd_period_start(period_expr) -%}
to_date({{ period_expr }} || '-01', 'yyyy-MM-dd')
{%- endmacro %}


{#
  poverty_class (warehouse.md): inactive and proposed families have none; a graduated family is tidak_miskin whatever
  its desil; else from desil_nasional: 1 ekstrem, 2-4 miskin, 5 rentan, 6-10 tidak_miskin. Call with
  registry_status = 'null' to classify a desil alone (dim_family).
#}
{% macro tkpkd_poverty_class(desil_nasional, registry_status) -%}
(case
    when {{ registry_status }} in ('inactive', 'proposed') then null
    when {{ registry_status }} = 'graduated' then 'tidak_miskin'
    when {{ desil_nasional }} = 1 then 'ekstrem'
    when {{ desil_nasional }} between 2 and 4 then 'miskin'
    when {{ desil_nasional }} = 5 then 'rentan'
    when {{ desil_nasional }} between 6 and 10 then 'tidak_miskin'
end)
{%- endmacro %}


{# Registry status from the newest verification outcome as of P (HASIL VERIFIKASI as normalise_code gives it). #}
{% macro tkpkd_registry_status(verification_result) -%}
(case {{ verification_result }}
    when 'TIDAK_LAYAK' then 'graduated'
    when 'PINDAH' then 'inactive'
    when 'TIDAK_DITEMUKAN' then 'inactive'
    when 'MENINGGAL' then 'inactive'
    when 'LAYAK' then 'verified'
    when 'USULAN_BARU' then 'proposed'
    else 'unverified'
end)
{%- endmacro %}
