{#
  SQL that DuckDB and Spark write differently, as dispatch macros: `default__` is the DuckDB text the models had,
  `spark__` its Spark equivalent (docs/scale-out.md). dbt's cross-database macros (dbt.type_string, dbt.concat, ...)
  cover the rest. The parsers (macros/parsing/) are not here: Spark runs their DuckDB macros (orchestration/spark.py).
#}

{#
  Every match of `pattern` in `expr` replaced, or only the first when `every` is false. Spark replaces every match
  and writes a group as `$1`, not `\1`; a first-only replacement must therefore be anchored (`^...`), where the
  first match is the only one.
#}
{% macro tkpkd_regexp_replace(expr, pattern, replacement, every=true) -%}
{{- return(adapter.dispatch('tkpkd_regexp_replace', 'tkpkd')(expr, pattern, replacement, every)) -}}
{%- endmacro %}

{% macro default__tkpkd_regexp_replace(expr, pattern, replacement, every) -%}
regexp_replace({{ expr }}, {{ pattern }}, {{ replacement }}{{ ", 'g'" if every }})
{%- endmacro %}

{% macro spark__tkpkd_regexp_replace(expr, pattern, replacement, every) -%}
{%- if not every and not pattern.startswith("'^") -%}
    {{ exceptions.raise_compiler_error("tkpkd_regexp_replace: a first-only replacement on Spark needs an anchored pattern, not " ~ pattern) }}
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
