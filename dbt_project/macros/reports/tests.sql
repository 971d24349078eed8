{#
  Generic test: every non-NULL value of the column is a share, between 0 and 1 inclusive (rates of the reports).
  Use `config: where:` to skip rows that hold differences (rpt_impact's `difference` rows).
#}
{% test between_zero_and_one(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < 0 or {{ column_name }} > 1
{% endtest %}
