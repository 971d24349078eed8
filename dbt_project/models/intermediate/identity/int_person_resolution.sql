{#
  The resolved identity table: every person row of every source (int_person_records) -> person_key and family_key,
  with how it was resolved. Restricted (holds the resolved NIK): schema `intermediate`; the keys alone are
  pseudonyms (HMAC-SHA256 of the NIK / KK number under TKPKD_PSEUDONYM_SECRET, int_person_identities /
  int_family_identities), the same across runs and periods under one secret.

  resolution_method:
    nik           the row's own valid NIK;
    repaired_nik  the row's NIK was damaged by Excel and the linkage found the one known person whose NIK keeps the
                  surviving digits and whose other details agree (int_person_links);
    linked        no usable NIK; probabilistic record linkage found one known person above the threshold;
    unresolved    none of these: person_key is NULL, unresolved_reason says why (no_candidate, below_threshold,
                  ambiguous). Never guessed.
  family_key: where the row's own KK number is retired as of the row's period and Dukcapil renumbered its family
  (int_kk_successors: a chain of `renumbered` changes, never a split or a join), the family holding the newest
  number as of the period (family_source `kk_lineage`: a DTSEN record or a payout list copying the old number
  late); else the row's own valid KK number (`row_kk`); else, for a resolved person, the KK number Dukcapil listed
  them under at the row's period (int_family_memberships), else their first one (`person_family`).

  nik_check: the row's own NIK against its stated birth date and sex (nik_birth_check; values there).
  dukcapil_match, the resolved NIK in Dukcapil as of the row's period (the newest Dukcapil snapshot at or before it
  that lists the NIK):
    found, found_dead (STATUS MATI), found_moved (STATUS PINDAH), not_found (no snapshot up to the period lists
    it), no_usable_nik (the row stays unresolved).
  kk_dukcapil_match, the row's own valid KK number in Dukcapil as of the row's period: found (the newest snapshot
  at or before the period lists it with a living member), retired (only an older snapshot does: the family was
  renumbered or its members died; the dead keep the number they died under, int_kk_lineage), not_found,
  no_usable_kk (the row has no valid KK number).
  For the quality report: `select source, avg((dukcapil_match like 'found%')::int) from int_person_resolution
  group by source` is the share found in Dukcapil over every person row, resolved by NIK or by linkage.
#}
-- only the columns carried to the end: ten million rows at city scale, as narrow as possible
with records as (
    select record_id, source, _source_file, _row_number, _period, nik, nik_status, kk_number, nik_check
    from {{ ref('int_person_records') }}
),

links as (
    select * from {{ ref('int_person_links') }}
),

resolved as (
    select
        records.*,
        coalesce(records.nik, links.linked_nik) as resolved_nik,
        case
            when records.nik is not null then 'nik'
            when links.outcome in ('repaired_nik', 'linked') then links.outcome
            else 'unresolved'
        end as resolution_method,
        case when records.nik is null then links.match_probability end as match_probability,
        case
            when records.nik is null and links.outcome = 'unresolved'
                then coalesce(links.unresolved_reason, 'no_candidate')
        end
            as unresolved_reason
    from records
    left join links
        on links.record_id = records.record_id
),

-- A person's KK number over time (int_family_memberships) as intervals (NULL: open): each stretch applies from its
-- first period until the next one begins, and the first stretch also to any earlier period (the person's first
-- family). Joined on the NIK with a range condition, each row meets one or two intervals: an ASOF join would sort all
-- ten million.
family_intervals as (
    select
        nik,
        kk_number,
        case when row_number() over by_start > 1 then valid_from end as applies_from,
        lead(valid_from) over by_start as applies_until
    from {{ ref('int_family_memberships') }}
    window by_start as (partition by nik order by valid_from)
),

dukcapil as (
    select nik, kk_number, _period, population_status
    from {{ ref('stg_dukcapil__residents') }}
),

-- a person's Dukcapil status only where it changes, then as intervals from each change until the next; before the
-- first snapshot, none
dukcapil_status_changes as (
    select nik, population_status, _period
    from dukcapil
    where nik is not null
    qualify population_status is distinct from lag(population_status) over (partition by nik order by _period)
),

dukcapil_status as (
    select
        nik,
        population_status,
        _period as applies_from,
        lead(_period) over (partition by nik order by _period) as applies_until
    from dukcapil_status_changes
),

-- each period of a row -> the newest Dukcapil snapshot at or before it (a handful of rows)
row_periods as (
    select distinct _period from records
),

snapshot_of_period as (
    {{ tkpkd_newest_snapshot_as_of('row_periods', 'dukcapil', period_column='_period') }}
),

-- a KK number in use: listed with a living member (a late head stays listed MATI under the number they died under)
dukcapil_families as (
    select distinct kk_number, _period
    from dukcapil
    where kk_number is not null and population_status is distinct from 'MATI'
),

first_listed_families as (
    select kk_number, min(_period) as first_period from dukcapil where kk_number is not null group by kk_number
),

with_register as (
    select
        resolved.*,
        family_as_of.kk_number as person_kk_number,
        status_as_of.population_status as dukcapil_status
    from resolved
    left join family_intervals as family_as_of
        on family_as_of.nik = resolved.resolved_nik
        and (family_as_of.applies_from is null or resolved._period >= family_as_of.applies_from)
        and (family_as_of.applies_until is null or resolved._period < family_as_of.applies_until)
    left join dukcapil_status as status_as_of
        on status_as_of.nik = resolved.resolved_nik
        and (status_as_of.applies_from is null or resolved._period >= status_as_of.applies_from)
        and (status_as_of.applies_until is null or resolved._period < status_as_of.applies_until)
),

with_kk as (
    select
        with_register.*,
        listed_now.kk_number is not null as kk_in_newest_snapshot,
        coalesce(first_listed.first_period <= with_register._period, false) as kk_listed_before
    from with_register
    left join snapshot_of_period
        on snapshot_of_period._period = with_register._period
    left join dukcapil_families as listed_now
        on listed_now.kk_number = with_register.kk_number
        and listed_now._period = snapshot_of_period.snapshot_period
    left join first_listed_families as first_listed
        on first_listed.kk_number = with_register.kk_number
)

select
    rows.record_id,
    rows.source,
    rows._source_file,
    rows._row_number,
    rows._period,
    rows.nik_status,
    rows.resolution_method,
    rows.match_probability,
    rows.unresolved_reason,
    rows.resolved_nik,
    people.person_key,
    coalesce(
        case when not rows.kk_in_newest_snapshot then successors.successor_family_key end,
        row_families.family_key,
        person_families.family_key
    ) as family_key,
    case
        when not rows.kk_in_newest_snapshot and successors.successor_family_key is not null then 'kk_lineage'
        when row_families.family_key is not null then 'row_kk'
        when person_families.family_key is not null then 'person_family'
    end as family_source,
    rows.nik_check,
    case
        when rows.resolved_nik is null then 'no_usable_nik'
        when rows.dukcapil_status = 'HIDUP' then 'found'
        when rows.dukcapil_status = 'MATI' then 'found_dead'
        when rows.dukcapil_status = 'PINDAH' then 'found_moved'
        else 'not_found'
    end as dukcapil_match,
    case
        when rows.kk_number is null then 'no_usable_kk'
        when rows.kk_in_newest_snapshot then 'found'
        when rows.kk_listed_before then 'retired'
        else 'not_found'
    end as kk_dukcapil_match
from with_kk as rows
left join {{ ref('int_person_identities') }} as people
    on people.nik = rows.resolved_nik
left join {{ ref('int_family_identities') }} as row_families
    on row_families.kk_number = rows.kk_number
left join {{ ref('int_family_identities') }} as person_families
    on person_families.kk_number = rows.person_kk_number
left join {{ ref('int_kk_successors') }} as successors
    on successors.kk_number = rows.kk_number
    and successors.valid_from <= rows._period
    and (successors.valid_to is null or successors.valid_to > rows._period)
