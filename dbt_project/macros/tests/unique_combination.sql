{#
  Generic test: no two rows share the same values of `columns` (NULLs compare equal, as in GROUP BY).
  Used for natural keys made of several columns (dbt_utils is not a dependency of this project).
#}
{% test tkpkd_unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_with_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
