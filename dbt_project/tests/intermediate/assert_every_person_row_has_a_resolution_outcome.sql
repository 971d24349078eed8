{#
  Identity resolution is complete: every person row of every source (int_person_records) has exactly one outcome
  in int_person_resolution, a resolved row has a person_key and an unresolved one has none (never a guess), and a
  row that needed linkage has a linkage decision.
#}
-- a Dagster asset check on the resolved identity table (a singular test with several inputs needs to be told which)
{{ config(meta={'dagster': {'ref': {'name': 'int_person_resolution'}}}) }}
select records.record_id, 'no resolution outcome' as problem
from {{ ref('int_person_records') }} as records
left join {{ ref('int_person_resolution') }} as resolution
    on resolution.record_id = records.record_id
where resolution.record_id is null

union all

select record_id, 'person_key does not match the method' as problem
from {{ ref('int_person_resolution') }}
where (resolution_method = 'unresolved') <> (person_key is null)

union all

select records.record_id, 'needed linkage but has no decision' as problem
from {{ ref('int_person_records') }} as records
left join {{ ref('int_person_links') }} as links
    on links.record_id = records.record_id
where records.needs_linkage and links.record_id is null
