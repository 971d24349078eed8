{#
  Where a KK number's rows belong once Dukcapil has renumbered the family: one row per KK number and period from
  which a row recorded under it belongs to the family holding another number. Restricted: schema `intermediate`.
  Built from int_kk_lineage's `renumbered` changes only, and only where all of from_kk's members went to that one
  number (the only change out of from_kk in that period): a `split` or `joined` is never followed (a split's old
  number is still a family; a family dispersed over several numbers has no single successor). Chains are followed:
  A renumbered to B in 2025-06 and B to C in 2025-12 give (A, 2025-06, B), (A, 2025-12, C) and (B, 2025-12, C);
  a row under A belongs to the successor of the newest valid_from at or before the row's period: valid_to is the
  next valid_from of the same number (exclusive; NULL for the last), so a row matches at most one of them with a
  plain join (cheaper than an as-of join over every person row).
  renumberings: how many renumberings lie between kk_number and successor_kk_number.
#}
with recursive changes as (
    select
        from_kk_number,
        to_kk_number,
        to_family_key,
        valid_from,
        change_kind,
        count(*) over (partition by from_kk_number, valid_from) as changes_in_period
    from {{ ref('int_kk_lineage') }}
),

renumberings as (
    select from_kk_number, to_kk_number, to_family_key, valid_from
    from changes
    where change_kind = 'renumbered'
        and changes_in_period = 1
),

chains as (
    select
        from_kk_number as kk_number,
        valid_from,
        to_kk_number as successor_kk_number,
        to_family_key as successor_family_key,
        1 as renumberings
    from renumberings

    union all

    select
        chains.kk_number,
        renumberings.valid_from,
        renumberings.to_kk_number,
        renumberings.to_family_key,
        chains.renumberings + 1
    from chains
    inner join renumberings
        on renumberings.from_kk_number = chains.successor_kk_number
        and renumberings.valid_from > chains.valid_from
)

select
    chains.kk_number,
    families.family_key,
    chains.valid_from,
    lead(chains.valid_from) over (partition by chains.kk_number order by chains.valid_from) as valid_to,
    chains.successor_kk_number,
    chains.successor_family_key,
    cast(chains.renumberings as integer) as renumberings
from chains
inner join {{ ref('int_family_identities') }} as families
    on families.kk_number = chains.kk_number
