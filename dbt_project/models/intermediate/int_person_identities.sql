{#
  Every valid NIK seen in any staging source, with its pseudonymous person_key = pseudonym('nik', nik)
  (HMAC-SHA256 under TKPKD_PSEUDONYM_SECRET). Restricted: lives in schema `intermediate`, never published.
  Only valid NIKs are keyed (staging leaves `nik` NULL unless its status is `valid`; an Excel-damaged NIK is never
  matched). The pseudonym is computed here once per NIK; every other model joins this table.
#}
{#- the sources whose rows name a person (`staging.persons` in sources.yaml) #}
{%- set sources = staging_sources() | selectattr('persons') | list %}

with seen as (
    {%- for item in sources %}
    select distinct nik, '{{ item.source }}' as source
    from {{ ref(item.stg) }}
    where nik is not null
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

niks as (
    select
        nik,
        count(*) as source_count,
        {{ tkpkd_string_agg('source', "' '", 'source') }} as seen_in_sources
    from seen
    group by nik
)

select
    nik,
    pseudonym('nik', nik) as person_key,
    cast(source_count as integer) as source_count,
    seen_in_sources
from niks
