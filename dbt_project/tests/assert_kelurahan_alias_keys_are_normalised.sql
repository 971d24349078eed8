{#
  Every row of seeds/ref_kelurahan_aliases.csv carries the key the normalisation macro gives its spelling, and no key
  points to two kelurahan (such a key would be dropped from the lookup and the name quarantined as unknown).
#}
select spelling, alias_key, kelurahan_code, 'alias_key differs from normalise_kelurahan_name(spelling)' as problem
from {{ ref('ref_kelurahan_aliases') }}
where alias_key is distinct from {{ normalise_kelurahan_name('spelling') }}

union all

select min(spelling), alias_key, min(kelurahan_code), 'alias_key points to more than one kelurahan'
from {{ ref('ref_kelurahan_aliases') }}
group by alias_key
having count(distinct kelurahan_code) > 1
