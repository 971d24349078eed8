{#
  Generic test: no two rows share the same values of `columns`. Rows with a NULL key part (an Excel-damaged
  identifier kept unresolved) cannot be compared and are not deduplicated (macros/staging/dedupe.sql): skipped.
  Used for natural keys made of several columns (dbt_utils is not a dependency of this project).
#}
{% test tkpkd_unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_with_key
from {{ model }}
where {% for column in columns %}{{ column }} is not null{{ " and " if not loop.last }}{% endfor %}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
