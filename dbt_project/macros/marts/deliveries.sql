{#
  The common shape of one delivery in int_assistance_deliveries: every source maps what it has onto these columns,
  in this order (the sources are stacked with UNION ALL, which matches by position); a column a source lacks is a
  typed NULL. `columns` maps a column name to the source's SQL expression; `alias` qualifies the lineage columns.
#}
{% macro tkpkd_delivery_columns(source, columns, alias=none) -%}
{%- set shape = [
    ('program_code', 'string'), ('delivered_on', 'date'), ('nik', 'string'), ('kk_number', 'string'),
    ('recipient_name', 'string'), ('kelurahan_code', 'string'), ('rw', 'integer'), ('rt', 'integer'),
    ('amount_idr', 'bigint'), ('funding_source', 'string'), ('agency_name', 'string'),
    ('agency_sector', 'string'), ('delivery_status', 'string'), ('delivery_detail', 'string'),
    ('natural_key_rest', 'string'),
] -%}
{%- set unknown = columns.keys() | reject('in', shape | map('first') | list) | list -%}
{%- if unknown -%}
    {{ exceptions.raise_compiler_error('tkpkd_delivery_columns: unknown columns ' ~ unknown | join(', ')) }}
{%- endif -%}
{%- set prefix = alias ~ '.' if alias else '' -%}
'{{ source }}' as source,
    {%- for name, type in shape %}
    {{ columns.get(name, 'cast(null as ' ~ type ~ ')') }} as {{ name }},
    {%- endfor %}
    {{ prefix }}_file_hash || ':' || cast({{ prefix }}_row_number as string) as row_lineage,
    {{ prefix }}_source_file,
    {{ prefix }}_row_number,
    {{ prefix }}_file_modified_at
{%- endmacro %}
