{#
  Generic test: every non-NULL value of the column is at least `min_value` and at most `max_value` (either may be
  omitted): counts and rupiah are not negative, differences of two shares lie within -1..1.
#}
{% test tkpkd_between(model, column_name, min_value=none, max_value=none) %}
select {{ column_name }}
from {{ model }}
where false
{%- if min_value is not none %} or {{ column_name }} < {{ min_value }}{% endif %}
{%- if max_value is not none %} or {{ column_name }} > {{ max_value }}{% endif %}
{% endtest %}
