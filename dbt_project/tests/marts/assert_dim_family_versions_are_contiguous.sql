{#
  dim_family type-2 history: each family has exactly one current version; versions follow each other without gap
  or overlap (valid_to of a version = valid_from of the next, which is later); only the newest version is open.
#}
with versions as (
    select
        family_key,
        family_version_key,
        version_number,
        valid_from,
        valid_to,
        is_current,
        lead(valid_from) over (partition by family_key order by version_number) as next_valid_from,
        lead(version_number) over (partition by family_key order by version_number) as next_version_number
    from {{ ref('dim_family') }}
),

broken_versions as (
    select family_key, family_version_key, 'valid_to is not the next valid_from' as problem
    from versions
    where valid_to is distinct from next_valid_from
    union all
    select family_key, family_version_key, 'version does not start after the previous one'
    from versions
    where next_valid_from is not null and next_valid_from <= valid_from
    union all
    select family_key, family_version_key, 'version numbers are not consecutive'
    from versions
    where next_version_number is not null and next_version_number <> version_number + 1
    union all
    select family_key, family_version_key, 'is_current disagrees with valid_to'
    from versions
    where is_current <> (valid_to is null)
),

current_counts as (
    select family_key, cast(null as string) as family_version_key, 'not exactly one current version' as problem
    from {{ ref('dim_family') }}
    group by family_key
    having count(*) filter (where is_current) <> 1
)

select * from broken_versions
union all
select * from current_counts
