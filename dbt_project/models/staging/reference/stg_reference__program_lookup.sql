{#
  Programme value lookup (M13): per source, the normalised spelling (normalise_program_name) of a programme-like
  value (bansos PROGRAM, jkn SEGMEN, rtlh KEGIATAN, air_bersih program, mitra KATEGORI) to its canonical value and
  programme code (NULL for a recognised value that is no programme: JKN PBPU/PPU/BP, PDAM REGULER).
  A key that would mean two different things is left out, so it stays unknown.
#}
select
    source,
    alias_key,
    min(canonical_value) as canonical_value,
    min(nullif(program_code, '')) as program_code
from {{ ref('ref_program_aliases') }}
where alias_key is not null
group by source, alias_key
having count(distinct canonical_value) = 1
