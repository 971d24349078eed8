{{ config(schema='pii') }}
{#
  RESTRICTED (schema pii, never published): the case-management worklist of rpt_extreme_poverty_cases, the same
  rows (period x ekstrem family), with what the kelurahan and agency officers who visit need: the KK number, the
  head of family's name and NIK, and the address.
  - kk_number, head_of_family_name and address: pii.family_identities (the newest DTSEN family record, else the
    newest Dukcapil / verification / RTLH record of the family): the newest known, also on rows of past periods;
  - head_of_family_nik: the family's member with status_hubungan_keluarga 1 (kepala keluarga) in the DTSEN members
    snapshot in force for the period (int_family_members_months; a living head first, then the lowest NIK when the
    snapshot lists two); NULL when no head is listed. When DTSEN gives no head name, the name of that person
    (pii.person_identities).
#}
with cases as (
    select * from {{ ref('rpt_extreme_poverty_cases') }}
),

heads as (
    select period, family_key, person_key, nik
    from {{ ref('int_family_members_months') }}
    where relationship_code = 1
        and nik is not null
    qualify row_number() over (
        partition by period, family_key
        order by case when is_alive then 0 else 1 end, nik
    ) = 1
)

select
    cases.*,
    families.kk_number,
    coalesce(families.head_of_family_name, people.full_name) as head_of_family_name,
    heads.nik as head_of_family_nik,
    families.address,
    families.identity_source
from cases
left join {{ ref('family_identities') }} as families
    on families.family_key = cases.family_key
left join heads
    on heads.period = cases.period
    and heads.family_key = cases.family_key
left join {{ ref('person_identities') }} as people
    on people.person_key = heads.person_key
