{#
  Each person's record in each Dukcapil snapshot (population register): their KK number's family_key and their
  kelurahan, RW and RT. One row per person and snapshot period. Used as the last resort to place a benefit whose
  recipient is in no DTSEN family (fct_assistance: the person's newest register record from a period <= the
  delivery's period) and to fill dim_person for people outside DTSEN.
#}
select
    people.person_key,
    residents._period as snapshot_period,
    families.family_key,
    residents.kelurahan_code,
    residents.rw,
    residents.rt,
    residents.population_status,
    residents.sex,
    residents.birth_date
from {{ ref('stg_dukcapil__residents') }} as residents
inner join {{ ref('int_person_identities') }} as people
    on people.nik = residents.nik
left join {{ ref('int_family_identities') }} as families
    on families.kk_number = residents.kk_number
