{#
  The codes of a code list as a query: `kelurahan` (the kelurahan of ref_regions), `program` (ref_programs), else
  the list of that name in ref_codes (as text). The seeds are the only place a code list is written.
#}
{% macro tkpkd_code_list_query(code_list) -%}
{%- if code_list == 'kelurahan' -%}
select region_code from {{ ref('ref_regions') }} where region_level = 'kelurahan'
{%- elif code_list == 'program' -%}
select program_code from {{ ref('ref_programs') }}
{%- else -%}
select cast(code as string) from {{ ref('ref_codes') }} where code_list = '{{ code_list }}'
{%- endif -%}
{%- endmacro %}


{# Generic test: every non-NULL value of the column is a code of `code_list` (tkpkd_code_list_query). #}
{% test tkpkd_in_code_list(model, column_name, code_list) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null and cast({{ column_name }} as string) not in ({{ tkpkd_code_list_query(code_list) }})
{% endtest %}
