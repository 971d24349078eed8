{#
  SQL that DuckDB and Spark write differently, as dispatch macros: `default__` is the DuckDB text the models had,
  `spark__` its Spark equivalent (docs/scale-out.md). dbt's cross-database macros (dbt.type_string, dbt.concat, ...)
  cover the rest. The parsers (macros/parsing/) are not here: Spark runs their DuckDB macros (orchestration/spark.py).
#}

{#
  Every match of `pattern` in `expr` replaced, or only the first when `every` is false. Spark replaces every match
  and writes a group as `$1`, not `\1`; a first-only replacement must therefore be anchored (`^...` or `...$`),
  where the first match is the only one.
#}
{% macro tkpkd_regexp_replace(expr, pattern, replacement, every=true) -%}
{{- return(adapter.dispatch('tkpkd_regexp_replace', 'tkpkd')(expr, pattern, replacement, every)) -}}
{%- endmacro %}

{% macro default__tkpkd_regexp_replace(expr, pattern, replacement, every) -%}
regexp_replace({{ expr }}, {{ pattern }}, {{ replacement }}{{ ", 'g'" if every }})
{%- endmacro %}

{% macro spark__tkpkd_regexp_replace(expr, pattern, replacement, every) -%}
{%- if not every and not (pattern.startswith("'^") or pattern.endswith("$'")) -%}
    {{ exceptions.raise_compiler_error("tkpkd_regexp_replace: a first-only replacement on Spark needs a pattern"
        ~ " anchored at the start or end, not " ~ pattern) }}
{%- endif -%}
regexp_replace({{ expr }}, {{ pattern }}, {{ modules.re.sub('\\\\(\\d)', '$\\1', replacement) }})
{%- endmacro %}


{# True when the whole of `expr` matches `pattern` (DuckDB's regexp_full_match). #}
{% macro tkpkd_regexp_full_match(expr, pattern) -%}
{{- return(adapter.dispatch('tkpkd_regexp_full_match', 'tkpkd')(expr, pattern)) -}}
{%- endmacro %}

{% macro default__tkpkd_regexp_full_match(expr, pattern) -%}
regexp_full_match({{ expr }}, {{ pattern }})
{%- endmacro %}

{% macro spark__tkpkd_regexp_full_match(expr, pattern) -%}
regexp({{ expr }}, concat('^(?:', {{ pattern }}, ')$'))
{%- endmacro %}


{#
  The value of `arg` on the row where `value` is largest. Rows where `value` is NULL do not count (DuckDB skips a
  NULL `arg` too; Spark's max_by can return it). Among rows of an equal `value` either engine returns any one, so
  where such ties can occur give `tie_break`: the row with the largest `tie_break` among them wins, the same on every
  run and on both engines.
#}
{% macro tkpkd_arg_max(arg, value, tie_break=none) -%}
{{- return(adapter.dispatch('tkpkd_arg_max', 'tkpkd')(arg, value, tie_break)) -}}
{%- endmacro %}

{% macro default__tkpkd_arg_max(arg, value, tie_break=none) -%}
arg_max({{ arg }}, {{ tkpkd_ordering_value(value, tie_break) }})
{%- endmacro %}

{% macro spark__tkpkd_arg_max(arg, value, tie_break=none) -%}
max_by({{ arg }}, {{ tkpkd_ordering_value(value, tie_break) }})
{%- endmacro %}


{# The value of `arg` on the row where `value` is smallest; ties as in tkpkd_arg_max (the smallest tie_break wins). #}
{% macro tkpkd_arg_min(arg, value, tie_break=none) -%}
{{- return(adapter.dispatch('tkpkd_arg_min', 'tkpkd')(arg, value, tie_break)) -}}
{%- endmacro %}

{% macro default__tkpkd_arg_min(arg, value, tie_break=none) -%}
arg_min({{ arg }}, {{ tkpkd_ordering_value(value, tie_break) }})
{%- endmacro %}

{% macro spark__tkpkd_arg_min(arg, value, tie_break=none) -%}
min_by({{ arg }}, {{ tkpkd_ordering_value(value, tie_break) }})
{%- endmacro %}


{#
  What arg_max / arg_min compare: `value`, or with a tie-break the struct (value, tie_break), which both engines order
  field by field. A struct is never NULL, so the row's NULL value is kept out explicitly, as the plain form would.
#}
{% macro tkpkd_ordering_value(value, tie_break) -%}
{%- if tie_break is none -%}
{{ value }}
{%- else -%}
case when ({{ value }}) is not null then {{ tkpkd_struct_of([value, tie_break]) }} end
{%- endif -%}
{%- endmacro %}

{% macro tkpkd_struct_of(fields) -%}
{{- return(adapter.dispatch('tkpkd_struct_of', 'tkpkd')(fields)) -}}
{%- endmacro %}

{% macro default__tkpkd_struct_of(fields) -%}
row({{ fields | join(', ') }})
{%- endmacro %}

{% macro spark__tkpkd_struct_of(fields) -%}
struct({{ fields | join(', ') }})
{%- endmacro %}


{# The values of `expr` joined by `separator`, in the order of `order_by`. #}
{% macro tkpkd_string_agg(expr, separator, order_by) -%}
{{- return(adapter.dispatch('tkpkd_string_agg', 'tkpkd')(expr, separator, order_by)) -}}
{%- endmacro %}

{% macro default__tkpkd_string_agg(expr, separator, order_by) -%}
string_agg({{ expr }}, {{ separator }} order by {{ order_by }})
{%- endmacro %}

{% macro spark__tkpkd_string_agg(expr, separator, order_by) -%}
string_agg({{ expr }}, {{ separator }}) within group (order by {{ order_by }})
{%- endmacro %}


{# A JSON object's member `path` (`'$.' || name`) as text; NULL when absent or JSON null. #}
{% macro tkpkd_json_extract_string(json, path) -%}
{{- return(adapter.dispatch('tkpkd_json_extract_string', 'tkpkd')(json, path)) -}}
{%- endmacro %}

{% macro default__tkpkd_json_extract_string(json, path) -%}
json_extract_string({{ json }}, {{ path }})
{%- endmacro %}

{% macro spark__tkpkd_json_extract_string(json, path) -%}
get_json_object({{ json }}, {{ path }})
{%- endmacro %}


{#
  One row per calendar month (`period_start`, DATE) from the period `first_period` to `last_period` (`YYYY-MM`,
  columns of `relation`, a one-row relation), none when they are NULL.
#}
{% macro tkpkd_month_spine(relation, first_period, last_period) -%}
{{- return(adapter.dispatch('tkpkd_month_spine', 'tkpkd')(relation, first_period, last_period)) -}}
{%- endmacro %}

{% macro default__tkpkd_month_spine(relation, first_period, last_period) -%}
select cast(spine.month_start as date) as period_start
from {{ relation }},
    range(
        cast(strptime({{ first_period }} || '-01', '%Y-%m-%d') as timestamp),
        cast(strptime({{ last_period }} || '-01', '%Y-%m-%d') as timestamp) + interval 1 month,
        interval 1 month
    ) as spine (month_start)
where {{ first_period }} is not null
{%- endmacro %}

{% macro spark__tkpkd_month_spine(relation, first_period, last_period) -%}
select spine.month_start as period_start
from {{ relation }}
lateral view explode(
    sequence({{ tkpkd_period_start(first_period) }}, {{ tkpkd_period_start(last_period) }}, interval 1 month)
) spine as month_start
where {{ first_period }} is not null
{%- endmacro %}


{# Whole years from the date `start` to the date `end` (an age: the years whose anniversary has been reached). #}
{% macro tkpkd_whole_years(start, end) -%}
{{- return(adapter.dispatch('tkpkd_whole_years', 'tkpkd')(start, end)) -}}
{%- endmacro %}

{% macro default__tkpkd_whole_years(start, end) -%}
date_sub('year', {{ start }}, {{ end }})
{%- endmacro %}

{% macro spark__tkpkd_whole_years(start, end) -%}
(year({{ end }}) - year({{ start }})
    - case when month({{ end }}) * 100 + day({{ end }}) < month({{ start }}) * 100 + day({{ start }}) then 1 else 0 end)
{%- endmacro %}
