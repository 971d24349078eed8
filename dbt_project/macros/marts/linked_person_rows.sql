{#
  The person rows identity resolution linked to a known person without their own valid NIK (int_person_resolution:
  resolution_method repaired_nik or linked): `_source_file`, `_row_number` and the given columns, optionally only
  for some sources. A model joins them on the row where its own NIK is NULL: rows with a valid NIK carry their own
  person, and unresolved rows are never given one.
#}
{% macro tkpkd_linked_person_rows(columns=['person_key'], sources=none) %}
    select _source_file, _row_number{% for column in columns %}, {{ column }}{% endfor %}
    from {{ ref('int_person_resolution') }}
    where resolution_method in ('repaired_nik', 'linked')
    {%- if sources %}
        and source in ({% for source in sources %}'{{ source }}'{{ ", " if not loop.last }}{% endfor %})
    {%- endif %}
{% endmacro %}
