{#
  Generic test: none of `columns` is NULL, in one scan of the model instead of one query per column (each dbt test
  costs about 26 ms of dbt's own overhead, whatever the data). One failing row per column that has NULLs, with how
  many; the test's failures count the NULL values, as the column-level not_null tests together would.
#}
{% test tkpkd_not_null(model, columns) %}
{{ config(fail_calc='coalesce(sum(null_rows), 0)') }}
select column_name, null_rows
from (
    select
    {%- for column in columns %}
        count(*) filter (where {{ column }} is null) as {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
) unpivot (null_rows for column_name in ({{ columns | join(', ') }}))
where null_rows > 0
{% endtest %}
