{#
  Kelurahan name lookup (M5): every normalised alias key of seeds/ref_kelurahan_aliases.csv plus the normalised
  official names of seeds/ref_regions.csv, with the kelurahan and its kecamatan. A key that would point to two
  kelurahan is left out, so such a name stays unknown rather than being guessed.
#}
with candidates as (
    select alias_key, kelurahan_code
    from {{ ref('ref_kelurahan_aliases') }}
    union
    select {{ normalise_kelurahan_name('region_name') }} as alias_key, region_code as kelurahan_code
    from {{ ref('ref_regions') }}
    where region_level = 'kelurahan'
)

select
    alias_key,
    min(kelurahan_code) as kelurahan_code,
    min(regions.kecamatan_code) as kecamatan_code
from candidates
inner join {{ ref('ref_regions') }} as regions
    on regions.region_code = candidates.kelurahan_code
    and regions.region_level = 'kelurahan'
where alias_key is not null
group by alias_key
having count(distinct kelurahan_code) = 1
