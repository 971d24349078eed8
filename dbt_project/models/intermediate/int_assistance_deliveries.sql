{#
  Every delivered benefit or service of the programme table (warehouse.md, "Programmes"), one row per delivery,
  before it is placed in a family (fct_assistance does that). Restricted (holds the NIK): schema `intermediate`.
  A table, like the rest of the layer: fct_assistance reads it several times, and as a view it recomputed the
  deliveries of every source each time (city sample: fct_assistance 411 s on the view, 14 s + 22 s on a table).

  What is a delivery, per source:
  - bansos: a payout with STATUS SALUR (GAGAL and RETUR are not), programme from PROGRAM through the alias seed;
    dated TANGGAL_SALUR, amount NILAI.
  - rtlh: a renovation of a recognised KEGIATAN (BSPS, BEDAH RUMAH APBD, CSR) with TANGGAL_SELESAI set (a survey
    or an unfinished renovation is not); dated TANGGAL_SELESAI, amount NILAI_BANTUAN, funding SUMBER_DANA.
  - air_bersih: a HIBAH_MBR connection, once per connection (its row in the newest snapshot that lists it), dated
    tanggal_pasang, whatever its status today; a REGULER connection is no programme and no row.
  - sanitasi: STATUS SELESAI with TANGGAL_SELESAI; dated TANGGAL_SELESAI, funding SUMBER_DANA; no amount.
  - pelatihan: every participation (status_kelulusan kept in delivery_status), dated tanggal_mulai.
  - umkm: a business with pendampingan other than TIDAK, once per business (owner NIK + business name), from the
    newest snapshot listing the support; dated tanggal_pendampingan, else the first day of the first snapshot
    period that shows the support.
  - kur: every loan, dated tanggal_akad, amount plafon; the agency is the bank.
  - mitra: every row, programme MITRA_<KATEGORI>, dated TANGGAL, amount NILAI; the agency is NAMA_LEMBAGA.
  - layanan_kesehatan: every service, dated tanggal_layanan; no amount.
  - jkn: a PBI (APBN or APBD) membership is a benefit every month it is active: one row per member and period with
    an AKTIF membership as of the period (int_jkn_membership_months), dated the last day of the period, amount the
    monthly premium the state pays (var pbi_monthly_premium_idr, Rp 42,000 for class III). A member with two PBI
    cards in one snapshot counts once (the programme of the card with the latest TMT; of two with the same TMT, the
    larger card number, NOKA).

  Recipient: the person identity resolution found for the row (int_person_resolution): its own valid NIK (`nik`),
  an Excel-damaged NIK repaired from its surviving digits (`repaired_nik`) or a probabilistic record link
  (`linked`); an unresolved row has no recipient (never a guess).
  The row's family (row_family_key, row_family_source): the family of the row's own KK number (`row_kk`), or, where
  Dukcapil has renumbered that family by the row's period (a list copying the old number late),
  int_person_resolution's family holding the new number (`kk_lineage`). PBI months come from memberships, not
  from a row with a KK number: no row family.

  One row per delivery: a delivery is identified by its source, its recipient (person_key, from the row's NIK or
  from record linkage) - for rtlh and sanitasi its family (the row's KK number, else the head's DTSEN family) - and
  the rest of the source's natural key. Staging cannot deduplicate rows whose natural key holds an unusable
  identifier (the same payout in a corrected file with an Excel-damaged NIK; a cumulative quarterly report repeating
  a finished grant with a damaged KK number); once resolved they are recognised here, and the row with its own
  identifiers intact wins, then the newest file. A row that stays unresolved is its own delivery (file hash and row
  number stand in for the recipient). assistance_key = md5 of that identity: it never hashes a NIK or KK number
  (a plain hash of one could be brute-forced back).

#}
with people as (
    select nik, person_key from {{ ref('int_person_identities') }}
),

families as (
    select kk_number, family_key from {{ ref('int_family_identities') }}
),

-- what identity resolution adds to a row (int_person_resolution): the recipient of a row without a valid NIK
-- (repaired NIK or record linkage; a row with its own valid NIK keeps it, an unresolved row has none), and the
-- family now holding a KK number Dukcapil renumbered. The sources whose rows are deliveries (`staging.assistance` in
-- sources.yaml) each have a CTE of their name below.
{%- set delivery_sources = staging_sources() | selectattr('assistance', 'equalto', 'deliveries')
    | map(attribute='source') | list %}
resolution as (
    select _source_file, _row_number, resolved_nik, resolution_method, family_key, family_source
    from {{ ref('int_person_resolution') }}
    where (resolution_method in ('repaired_nik', 'linked') or family_source = 'kk_lineage')
        and source in (
            {%- for delivery_source in delivery_sources %}
            '{{ delivery_source }}'{{ "," if not loop.last }}
            {%- endfor %}
        )
),

bansos as (
    select
        {{ tkpkd_delivery_columns('bansos', {
            'program_code': "program_code",
            'delivered_on': "payout_date",
            'nik': "nik",
            'kk_number': "kk_number",
            'recipient_name': "recipient_name",
            'kelurahan_code': "kelurahan_code",
            'amount_idr': "amount_idr",
            'delivery_status': "payout_status",
            'delivery_detail': "tahap || ' ' || cast(payout_year as string)",
            'natural_key_rest': "program_code || '|' || tahap || '|' || cast(payout_year as string)",
        }) }}
    from {{ ref('stg_bansos__payouts') }}
    where payout_status = 'SALUR'
        and program_code is not null
        and payout_date is not null
),

rtlh as (
    select
        {{ tkpkd_delivery_columns('rtlh', {
            'program_code': "program_code",
            'delivered_on': "completion_date",
            'nik': "nik",
            'kk_number': "kk_number",
            'recipient_name': "head_of_family_name",
            'kelurahan_code': "kelurahan_code",
            'rw': "rw",
            'rt': "rt",
            'amount_idr': "amount_idr",
            'funding_source': "funding_source",
            'delivery_status': "house_status",
            'delivery_detail': "activity",
            'natural_key_rest': "coalesce(activity, '') || '|' || coalesce(cast(budget_year as string), '')",
        }) }}
    from {{ ref('stg_rtlh__houses') }}
    where program_code is not null
        and completion_date is not null
),

water_rows as (
    select *
    from {{ ref('stg_air_bersih__connections') }}
    where program_code is not null
        and installation_date is not null
    qualify row_number() over (partition by connection_number order by _period desc) = 1
),

air_bersih as (
    select
        {{ tkpkd_delivery_columns('air_bersih', {
            'program_code': "program_code",
            'delivered_on': "installation_date",
            'nik': "nik",
            'kelurahan_code': "kelurahan_code",
            'delivery_status': "connection_status",
            'delivery_detail': "tariff_group",
            'natural_key_rest': "connection_number",
        }) }}
    from water_rows
),

sanitasi as (
    select
        {{ tkpkd_delivery_columns('sanitasi', {
            'program_code': "program_code",
            'delivered_on': "completion_date",
            'nik': "nik",
            'kk_number': "kk_number",
            'recipient_name': "full_name",
            'kelurahan_code': "kelurahan_code",
            'rw': "rw",
            'rt': "rt",
            'funding_source': "funding_source",
            'delivery_status': "assistance_status",
            'delivery_detail': "assistance_type",
            'natural_key_rest': "assistance_type",
        }) }}
    from {{ ref('stg_sanitasi__assistance') }}
    where assistance_status = 'SELESAI'
        and completion_date is not null
        and program_code is not null
),

pelatihan as (
    select
        {{ tkpkd_delivery_columns('pelatihan', {
            'program_code': "program_code",
            'delivered_on': "start_date",
            'nik': "nik",
            'delivery_status': "graduation_status",
            'delivery_detail': "vocation",
            'natural_key_rest': "training_key || '|' || cast(start_date as string)",
        }) }}
    from {{ ref('stg_pelatihan__trainings') }}
    where start_date is not null
),

umkm_supported as (
    select
        *,
        min(_period) over (partition by nik, business_key) as first_supported_period
    from {{ ref('stg_umkm__businesses') }}
    where program_code is not null
    qualify row_number() over (partition by nik, business_key order by _period desc) = 1
),

umkm as (
    select
        {{ tkpkd_delivery_columns('umkm', {
            'program_code': "program_code",
            'delivered_on': "coalesce(mentoring_date, " ~ tkpkd_period_start('first_supported_period') ~ ")",
            'nik': "nik",
            'delivery_status': "mentoring_type",
            'delivery_detail': "sector",
            'natural_key_rest': "business_key",
        }) }}
    from umkm_supported
),

kur as (
    select
        {{ tkpkd_delivery_columns('kur', {
            'program_code': "loans.program_code",
            'delivered_on': "loans.contract_date",
            'nik': "loans.nik",
            'amount_idr': "loans.credit_limit_idr",
            'agency_name': "banks.agency_name",
            'agency_sector': "banks.pentahelix_sector",
            'delivery_status': "'KOL_' || cast(loans.collectibility as string)",
            'delivery_detail': "loans.scheme",
            'natural_key_rest': "loans.bank || '|' || cast(loans.contract_date as string)",
        }, 'loans') }}
    from {{ ref('stg_kur__loans') }} as loans
    left join {{ ref('ref_agencies') }} as banks
        on banks.agency_code = loans.agency_code
    where loans.contract_date is not null
),

mitra as (
    select
        {{ tkpkd_delivery_columns('mitra', {
            'program_code': "program_code",
            'delivered_on': "delivery_date",
            'nik': "nik",
            'kk_number': "kk_number",
            'recipient_name': "recipient_name",
            'kelurahan_code': "kelurahan_code",
            'amount_idr': "amount_idr",
            'agency_name': "partner_name",
            'agency_sector': "partner_sector",
            'delivery_status': "category",
            'delivery_detail': "partner_program_name",
            'natural_key_rest': "partner_program_key || '|' || cast(delivery_date as string)",
        }) }}
    from {{ ref('stg_mitra__deliveries') }}
    where program_code is not null
        and delivery_date is not null
        and partner_name is not null
),

layanan_kesehatan as (
    select
        {{ tkpkd_delivery_columns('layanan_kesehatan', {
            'program_code': "program_code",
            'delivered_on': "service_date",
            'nik': "nik",
            'delivery_status': "nutrition_status",
            'delivery_detail': "service_type",
            'natural_key_rest': "cast(service_date as string) || '|' || service_type",
        }) }}
    from {{ ref('stg_layanan_kesehatan__services') }}
    where service_date is not null
),

pbi_members as (
    select
        person_key,
        period,
        max(period_end) as period_end,
        {{ tkpkd_arg_max('program_code', 'coverage_start_date', tie_break='noka') }} as program_code,
        {{ tkpkd_arg_max('segment', 'coverage_start_date', tie_break='noka') }} as segment,
        max(nik) as nik
    from {{ ref('int_jkn_membership_months') }}
    where program_code in ('PBI_APBN', 'PBI_APBD')
    group by person_key, period
),

deliveries as (
    {%- for source in delivery_sources %}
    select * from {{ source }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

resolved as (
    select
        deliveries.*,
        coalesce(deliveries.nik, resolution.resolved_nik) as resolved_nik,
        case
            when deliveries.nik is not null then 'nik'
            when resolution.resolved_nik is not null then resolution.resolution_method
        end as person_link,
        case when resolution.family_source = 'kk_lineage' then resolution.family_key end as lineage_family_key
    from deliveries
    left join resolution
        on resolution._source_file = deliveries._source_file
        and resolution._row_number = deliveries._row_number
),

-- an rtlh or sanitasi row whose KK number is unusable belongs to its head's family: the KK number of the person's
-- newest DTSEN member record
person_families as (
    select members.nik, {{ tkpkd_arg_max('members.kk_number', 'members._period') }} as kk_number
    from {{ ref('stg_dtsen__members') }} as members
    where members.kk_number is not null
        and members.nik in (
            select nik from {{ ref('stg_rtlh__houses') }} where kk_number is null and nik is not null
            union
            select nik from {{ ref('stg_sanitasi__assistance') }} where kk_number is null and nik is not null
        )
    group by members.nik
),

keyed as (
    select
        resolved.*,
        people.person_key,
        coalesce(resolved.lineage_family_key, families.family_key) as row_family_key,
        case
            when resolved.lineage_family_key is not null then 'kk_lineage'
            when families.family_key is not null then 'row_kk'
        end as row_family_source,
        resolved.source
            || '|' || coalesce(
                case
                    when resolved.source in ('rtlh', 'sanitasi')
                        then coalesce(resolved.lineage_family_key, families.family_key, head_families.family_key)
                end,
                case when resolved.source = 'air_bersih' then '' end,
                people.person_key,
                'row:' || resolved.row_lineage
            )
            || '|' || coalesce(resolved.natural_key_rest, '') as delivery_identity
    from resolved
    left join people
        on people.nik = resolved.resolved_nik
    left join families
        on families.kk_number = resolved.kk_number
    left join person_families
        on resolved.source in ('rtlh', 'sanitasi')
        and resolved.kk_number is null
        and person_families.nik = resolved.nik
    left join families as head_families
        on head_families.kk_number = person_families.kk_number
),

-- one row per delivery (see above): the row with its own identifiers intact wins, then the newest delivered file
deduplicated as (
    select *
    from keyed
    qualify row_number() over (
        partition by delivery_identity
        order by
            cast(nik is not null as integer) + cast(kk_number is not null as integer) desc,
            _file_modified_at desc nulls last,
            _source_file desc,
            _row_number desc
    ) = 1
),

pbi_keyed as (
    select
        'jkn' as source,
        program_code,
        period_end as delivered_on,
        nik,
        nik as resolved_nik,
        'nik' as person_link,
        person_key,
        cast(null as string) as row_family_key,
        cast(null as string) as row_family_source,
        cast(null as string) as kelurahan_code,
        cast(null as integer) as rw,
        cast(null as integer) as rt,
        cast({{ var('pbi_monthly_premium_idr') }} as bigint) as amount_idr,
        cast(null as string) as funding_source,
        cast(null as string) as agency_name,
        cast(null as string) as agency_sector,
        'AKTIF' as delivery_status,
        segment as delivery_detail,
        cast(null as string) as _source_file,
        cast(null as integer) as _row_number,
        'jkn|' || person_key || '|' || period as delivery_identity
    from pbi_members
),

all_deliveries as (
    select
        source, program_code, delivered_on, nik, resolved_nik, person_link, person_key, row_family_key,
        row_family_source, kelurahan_code, rw, rt, amount_idr, funding_source, agency_name, agency_sector,
        delivery_status, delivery_detail, _source_file, _row_number, delivery_identity
    from deduplicated
    union all
    select * from pbi_keyed
),

programmes as (
    select
        programmes.program_code,
        programmes.funding_source,
        agencies.agency_name,
        agencies.pentahelix_sector
    from {{ ref('ref_programs') }} as programmes
    left join {{ ref('ref_agencies') }} as agencies
        on agencies.agency_code = programmes.agency_code
)

select
    md5(all_deliveries.delivery_identity) as assistance_key,
    all_deliveries.source,
    all_deliveries.program_code,
    all_deliveries.delivered_on,
    {{ tkpkd_period_of('all_deliveries.delivered_on') }} as period,
    all_deliveries.resolved_nik as nik,
    all_deliveries.person_key,
    case when all_deliveries.person_key is not null then all_deliveries.person_link end as person_link,
    all_deliveries.row_family_key,
    all_deliveries.row_family_source,
    all_deliveries.kelurahan_code as row_kelurahan_code,
    all_deliveries.rw as row_rw,
    all_deliveries.rt as row_rt,
    all_deliveries.amount_idr,
    coalesce(all_deliveries.funding_source, programmes.funding_source) as funding_source,
    coalesce(all_deliveries.agency_name, programmes.agency_name) as agency_name,
    coalesce(all_deliveries.agency_sector, programmes.pentahelix_sector) as agency_sector,
    all_deliveries.delivery_status,
    all_deliveries.delivery_detail,
    all_deliveries._source_file,
    all_deliveries._row_number
from all_deliveries
left join programmes
    on programmes.program_code = all_deliveries.program_code
