{#
  KK lineage: a family's KK number changes (a split, a head who died, a move, a renumbering) and its members show it:
  one row per observed change from one KK number to another, from int_family_memberships (a person's stretch under
  from_kk followed by one under to_kk). Restricted: schema `intermediate`.
  - valid_from: the first period the moved members appear under to_kk; from_valid_to: the last period from_kk has
    a living member in Dukcapil (int_family_memberships.last_alive_period: the dead keep the number they died
    under, so a late head listed MATI under the old number does not keep it in use);
  - members_moved: how many people made this change in that period;
  - change_kind: `renumbered` (from_kk has no living member left from that period on, and to_kk is new: the same
    family under a new number, e.g. a KK reissued after the head died or a move to another kecamatan), `split`
    (from_kk keeps living members, to_kk is new), `joined` (to_kk already had members: a marriage, a child taken in).
  Where change_kind is `renumbered` the two KK numbers are one family over time: a row recorded under the old
  number from valid_from on belongs to the family that now holds the new one (int_kk_successors).
#}
with memberships as (
    select * from {{ ref('int_family_memberships') }}
),

moves as (
    select
        previous.kk_number as from_kk_number,
        previous.family_key as from_family_key,
        current_stretch.kk_number as to_kk_number,
        current_stretch.family_key as to_family_key,
        current_stretch.valid_from,
        count(distinct current_stretch.nik) as members_moved
    from memberships as current_stretch
    inner join memberships as previous
        on previous.nik = current_stretch.nik
        and previous.stretch = current_stretch.stretch - 1
    group by all
),

family_spans as (
    select kk_number, min(valid_from) as first_period, max(last_alive_period) as last_period
    from memberships
    group by kk_number
),

stayers as (
    -- someone still alive under from_kk in the period the others moved
    select distinct moves.from_kk_number, moves.valid_from
    from moves
    inner join memberships
        on memberships.kk_number = moves.from_kk_number
        and memberships.valid_from <= moves.valid_from
        and memberships.last_alive_period >= moves.valid_from
)

select
    moves.from_kk_number,
    moves.from_family_key,
    moves.to_kk_number,
    moves.to_family_key,
    moves.valid_from,
    from_spans.last_period as from_valid_to,
    cast(moves.members_moved as integer) as members_moved,
    case
        when to_spans.first_period < moves.valid_from then 'joined'
        when stayers.from_kk_number is not null then 'split'
        else 'renumbered'
    end as change_kind
from moves
inner join family_spans as from_spans
    on from_spans.kk_number = moves.from_kk_number
inner join family_spans as to_spans
    on to_spans.kk_number = moves.to_kk_number
left join stayers
    on stayers.from_kk_number = moves.from_kk_number
    and stayers.valid_from = moves.valid_from
