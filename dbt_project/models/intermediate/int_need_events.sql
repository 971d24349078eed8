{#
  Dated events that meet a basic need (warehouse.md, the met_b column), one row per source row (its file and row
  number kept, the model's key), keyed by the
  recipient (person_key: the row's valid NIK, else the person identity resolution found for the row,
  int_person_resolution) and by the row's own family (family_key, from a valid KK number).
  Family-level matching happens in int_family_benefits: an event counts for a family through its KK number or
  through any member's NIK.
  - pangan: bansos BPNT or BANSOS_PANGAN_APBD with STATUS SALUR (dated TANGGAL_SALUR); mitra KATEGORI PANGAN.
  - rumah: an rtlh row with TANGGAL_SELESAI (a finished renovation, whatever its KEGIATAN); mitra PERUMAHAN.
  - sanitasi: a sanitasi row with STATUS SELESAI and a TANGGAL_SELESAI; mitra SANITASI.
  - air: mitra AIR_BERSIH (PDAM connections are a state, not events: int_water_access_months).
  Mitra JAMINAN_SOSIAL and KESEHATAN rows do not meet those needs: the contract defines them by JKN membership and
  puskesmas services only.
#}
with events as (
    select
        'bansos' as source, program_code, 'pangan' as need, payout_date as delivered_on, nik, kk_number, _source_file,
        _row_number
    from {{ ref('stg_bansos__payouts') }}
    where payout_status = 'SALUR'
        and program_code in ('BPNT', 'BANSOS_PANGAN_APBD')
        and payout_date is not null

    union all

    select
        'mitra' as source,
        program_code,
        case category
            when 'PANGAN' then 'pangan'
            when 'PERUMAHAN' then 'rumah'
            when 'AIR_BERSIH' then 'air'
            when 'SANITASI' then 'sanitasi'
        end as need,
        delivery_date as delivered_on,
        nik,
        kk_number,
        _source_file,
        _row_number
    from {{ ref('stg_mitra__deliveries') }}
    where category in ('PANGAN', 'PERUMAHAN', 'AIR_BERSIH', 'SANITASI')
        and delivery_date is not null

    union all

    select
        'rtlh' as source, program_code, 'rumah' as need, completion_date as delivered_on, nik, kk_number, _source_file,
        _row_number
    from {{ ref('stg_rtlh__houses') }}
    where completion_date is not null

    union all

    select
        'sanitasi' as source, program_code, 'sanitasi' as need, completion_date as delivered_on, nik, kk_number,
        _source_file, _row_number
    from {{ ref('stg_sanitasi__assistance') }}
    where assistance_status = 'SELESAI'
        and completion_date is not null
)

select
    events.need,
    events.source,
    events.program_code,
    events.delivered_on,
    {{ tkpkd_month_number(tkpkd_period_of('events.delivered_on')) }} as delivery_month_number,
    coalesce(people.person_key, resolution.person_key) as person_key,
    families.family_key,
    events._source_file,
    events._row_number
from events
left join {{ ref('int_person_identities') }} as people
    on people.nik = events.nik
left join (
    {{ tkpkd_linked_person_rows() }}
) as resolution
    on events.nik is null
    and resolution._source_file = events._source_file
    and resolution._row_number = events._row_number
left join {{ ref('int_family_identities') }} as families
    on families.kk_number = events.kk_number
where coalesce(people.person_key, resolution.person_key) is not null
    or families.family_key is not null
