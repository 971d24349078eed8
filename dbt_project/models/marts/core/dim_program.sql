{#
  One programme (warehouse.md, "Programmes"), from the seed ref_programs: the contract's programme table plus one
  MITRA_<KATEGORI> per partner category. agency_key is the responsible agency; NULL for KUR (each loan's bank is its
  agency) and the MITRA_ programmes (each delivery's partner is its agency): fct_assistance.agency_key is per row.
#}
select
    {{ tkpkd_program_key('programmes.program_code') }} as program_key,
    programmes.program_code,
    programmes.program_name,
    programmes.category,
    programmes.basic_need,
    programmes.max_desil,
    programmes.kind,
    programmes.funding_source,
    case when agencies.agency_name is not null then {{ tkpkd_agency_key('agencies.agency_name') }} end as agency_key,
    programmes.recognised_from
from {{ ref('ref_programs') }} as programmes
left join {{ ref('ref_agencies') }} as agencies
    on agencies.agency_code = programmes.agency_code
