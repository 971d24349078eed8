{{ config(schema='pii') }}
{#
  RESTRICTED (schema pii, never published): the person rows identity resolution left unresolved, for the agency
  that sent them and for clerical review: where the row is (file, row number), what it says (name, the NIK status,
  kelurahan), why no person was chosen (no_candidate, below_threshold, ambiguous), and the best candidate the
  linkage saw with its match probability and share. The candidate is a lead for a person to check, never a link.
#}
select
    resolution.source,
    resolution._source_file,
    resolution._row_number,
    resolution._period,
    records.full_name,
    records.nik_status,
    records.kelurahan_code,
    resolution.unresolved_reason,
    links.candidate_nik,
    links.match_probability as candidate_match_probability,
    links.best_share as candidate_share,
    links.candidates
from {{ ref('int_person_resolution') }} as resolution
inner join {{ ref('int_person_records') }} as records
    on records.record_id = resolution.record_id
left join {{ ref('int_person_links') }} as links
    on links.record_id = resolution.record_id
where resolution.resolution_method = 'unresolved'
