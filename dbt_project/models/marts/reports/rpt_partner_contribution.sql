{#
  Who is pulling weight: every delivered benefit or service of fct_assistance, per period (of the delivery date),
  pentahelix sector of the delivering agency or partner (dim_agency.pentahelix_sector: PEMERINTAH, AKADEMISI,
  DUNIA_USAHA, MEDIA, KOMUNITAS; TIDAK_DIKETAHUI when the delivery has no agency) and programme category. All
  sectors, government included. Membership programmes (PBI JKN) count one delivery per member per month.
#}
with assistance as (
    select
        assistance.period,
        coalesce(agencies.pentahelix_sector, 'TIDAK_DIKETAHUI') as pentahelix_sector,
        coalesce(assistance.category, 'tidak_diketahui') as category,
        assistance.agency_key,
        assistance.family_key,
        assistance.person_key,
        coalesce(assistance.amount_idr, 0) as amount_idr
    from {{ ref('fct_assistance') }} as assistance
    left join {{ ref('dim_agency') }} as agencies
        on agencies.agency_key = assistance.agency_key
),

aggregated as (
    select
        period,
        pentahelix_sector,
        category,
        count(distinct agency_key) as agencies,
        count(distinct family_key) as families_reached,
        count(distinct person_key) as persons_reached,
        count(*) as deliveries,
        sum(case when family_key is null then 1 else 0 end) as deliveries_without_family,
        sum(amount_idr) as amount_idr
    from assistance
    group by period, pentahelix_sector, category
)

select
    period,
    pentahelix_sector,
    category,
    cast(agencies as bigint) as agencies,
    cast(families_reached as bigint) as families_reached,
    cast(persons_reached as bigint) as persons_reached,
    cast(deliveries as bigint) as deliveries,
    cast(deliveries_without_family as bigint) as deliveries_without_family,
    cast(amount_idr as bigint) as amount_idr,
    {{ report_share('amount_idr', 'sum(amount_idr) over (partition by period, category)') }}
        as amount_share_of_category,
    {{ report_share('deliveries', 'sum(deliveries) over (partition by period, category)') }}
        as delivery_share_of_category
from aggregated
