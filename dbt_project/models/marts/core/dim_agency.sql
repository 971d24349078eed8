{#
  One agency or partner with its pentahelix sector: the government agencies, PDAM and the KUR banks of the seed
  ref_agencies, plus every partner of the mitra source (NAMA_LEMBAGA with its SEKTOR). agency_key = md5 of the
  upper-cased name with whitespace collapsed, so `Baznas Kota Pontianak` and `BAZNAS KOTA  PONTIANAK` are one
  partner. Where a partner is written several ways, agency_name is its most frequent spelling; where its rows give
  several sectors, the most frequent sector wins (ties: alphabetical). A partner with the name of a seeded agency is
  that agency.
#}
with seeded as (
    select
        {{ tkpkd_agency_key('agency_name') }} as agency_key,
        agency_code,
        agency_name,
        pentahelix_sector,
        agency_type,
        false as is_partner
    from {{ ref('ref_agencies') }}
),

partner_rows as (
    select
        {{ tkpkd_agency_key('partner_name') }} as agency_key,
        partner_name,
        partner_sector
    from {{ ref('stg_mitra__deliveries') }}
    where partner_name is not null
),

partner_names as (
    select agency_key, partner_name
    from (
        -- counted first: Spark's QUALIFY cannot order by an aggregate of the same query
        select agency_key, partner_name, count(*) as row_count
        from partner_rows
        group by agency_key, partner_name
    ) as counted
    qualify row_number() over (partition by agency_key order by row_count desc, partner_name asc) = 1
),

partner_sectors as (
    select agency_key, partner_sector
    from (
        -- counted first: Spark's QUALIFY cannot order by an aggregate of the same query
        select agency_key, partner_sector, count(*) as row_count
        from partner_rows
        where partner_sector is not null
        group by agency_key, partner_sector
    ) as counted
    qualify row_number() over (partition by agency_key order by row_count desc, partner_sector asc) = 1
),

partners as (
    select
        partner_names.agency_key,
        cast(null as string) as agency_code,
        partner_names.partner_name as agency_name,
        partner_sectors.partner_sector as pentahelix_sector,
        'mitra' as agency_type,
        true as is_partner
    from partner_names
    left join partner_sectors
        on partner_sectors.agency_key = partner_names.agency_key
    where partner_names.agency_key not in (select agency_key from seeded)
)

select * from seeded
union all
select * from partners
