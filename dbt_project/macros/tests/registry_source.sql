{#
  Generic test: every value of the column is a contract source of staging_sources(), one that has `having` (e.g.
  `persons`) when given, or one of `also` (a value that names no source, e.g. `_inbox`). The list of sources lives
  in the contract only, so this replaces accepted_values lists.
#}
{% test tkpkd_registry_source(model, column_name, having=none, also=[]) %}
{%- set sources = staging_sources() -%}
{%- if having -%}{%- set sources = sources | selectattr(having) | list -%}{%- endif %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} not in ('{{ (sources | map(attribute='source') | list + also) | join("', '") }}')
{% endtest %}
