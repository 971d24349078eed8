{{ config(schema='pii') }}
{#
  RESTRICTED (schema pii, never published): family_key back to the KK number, the head of family's name and the
  address, for the officers who visit (case lists). One row per family of int_family_identities. Taken from the
  first source that knows the family: the newest DTSEN family record (nama_kepala_keluarga, alamat, kelurahan, RW,
  RT); else the newest Dukcapil record of the family's KEPALA KELUARGA; else the newest kelurahan verification
  (head name, kelurahan, RW, RT; no address); else the newest RTLH row.
#}
with candidates as (
    select kk_number, head_of_family_name, address, kelurahan_code, rw, rt,
        'dtsen_keluarga' as identity_source, 1 as priority, _period
    from {{ ref('stg_dtsen__families') }}

    union all

    select kk_number, full_name as head_of_family_name, address, kelurahan_code, rw, rt,
        'dukcapil' as identity_source, 2 as priority, _period
    from {{ ref('stg_dukcapil__residents') }}
    where kk_number is not null and family_relationship = 'KEPALA_KELUARGA'

    union all

    select kk_number, head_of_family_name, cast(null as string) as address, kelurahan_code, rw, rt,
        'verifikasi_kelurahan' as identity_source, 3 as priority, _period
    from {{ ref('stg_verifikasi__verifications') }}
    where kk_number is not null

    union all

    select kk_number, head_of_family_name, address, kelurahan_code, rw, rt,
        'rtlh' as identity_source, 4 as priority, _period
    from {{ ref('stg_rtlh__houses') }}
    where kk_number is not null
),

best as (
    select *
    from candidates
    qualify row_number() over (partition by kk_number order by priority asc, _period desc) = 1
)

select
    families.family_key,
    families.kk_number,
    best.head_of_family_name,
    best.address,
    best.kelurahan_code,
    best.rw,
    best.rt,
    {{ tkpkd_region_key('best.kelurahan_code', 'best.rw', 'best.rt') }} as region_key,
    best.identity_source
from {{ ref('int_family_identities') }} as families
left join best
    on best.kk_number = families.kk_number
