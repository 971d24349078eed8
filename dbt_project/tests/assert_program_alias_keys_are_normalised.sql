{#
  Every row of seeds/ref_program_aliases.csv carries the key normalise_program_name gives its spelling, and no key
  of a source means two different values.
#}
select source, spelling, alias_key, 'alias_key differs from normalise_program_name(spelling)' as problem
from {{ ref('ref_program_aliases') }}
where alias_key is distinct from {{ normalise_program_name('spelling') }}

union all

select source, min(spelling), alias_key, 'alias_key means more than one canonical value'
from {{ ref('ref_program_aliases') }}
group by source, alias_key
having count(distinct canonical_value) > 1
