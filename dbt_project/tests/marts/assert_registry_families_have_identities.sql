{#
  Every family of fct_family_month and every family and person of fct_assistance can be traced back by the officers
  who visit: pii.family_identities / pii.person_identities hold its KK number / NIK.
#}
select 'family without identity' as problem, facts.family_key as missing_key
from (
    select distinct family_key from {{ ref('fct_family_month') }}
    union
    select distinct family_key from {{ ref('fct_assistance') }} where family_key is not null
) as facts
left join {{ ref('family_identities') }} as identities
    on identities.family_key = facts.family_key
where identities.kk_number is null
union all
select 'person without identity', facts.person_key
from (select distinct person_key from {{ ref('fct_assistance') }} where person_key is not null) as facts
left join {{ ref('person_identities') }} as identities
    on identities.person_key = facts.person_key
where identities.nik is null
