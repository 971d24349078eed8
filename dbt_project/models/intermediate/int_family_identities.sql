{#
  Every valid KK number (nomor kartu keluarga) seen in any staging source, with its pseudonymous
  family_key = pseudonym('kk', kk_number). Restricted: schema `intermediate`. Only valid KK numbers are keyed.
#}
{#- the sources whose rows carry a KK number (`staging.kk_column` in sources.yaml) #}
{%- set sources = staging_sources() | selectattr('kk_column') | list %}

with seen as (
    {%- for item in sources %}
    select distinct {{ item.kk_column }} as kk_number, '{{ item.source }}' as source
    from {{ ref(item.stg) }}
    where {{ item.kk_column }} is not null
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

numbers as (
    select
        kk_number,
        count(*) as source_count,
        {{ tkpkd_string_agg('source', "' '", 'source') }} as seen_in_sources
    from seen
    group by kk_number
)

select
    kk_number,
    pseudonym('kk', kk_number) as family_key,
    cast(source_count as integer) as source_count,
    seen_in_sources
from numbers
