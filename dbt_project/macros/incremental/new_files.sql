{#
  The base models (staging.base_<source>__<entity>) are incremental by raw file with the strategy `new_files`: a raw
  table only gains rows, a file's rows are written once, keyed by (_source_file, _file_hash), and a base row is a
  function of its raw row and of the lookups it joins. So an incremental build parses only the rows of the files
  not yet parsed, and the result equals a full build (docs/design.md, "Partitions").

  incremental.parsed_files lists, per base model, the files its table holds. The model's raw source reads through
  tkpkd_unparsed_raw_rows (the project's `source` macro wraps it for these models, so a base model still reads
  `source('raw', ...)` and a new source needs no extra code): it skips the listed files. The SQL is thus the same for a
  full and an incremental build; a full build just starts from an empty list.

  Staleness: incremental.base_fingerprints keeps, per base model, the fingerprint of what its rows were parsed with
  (tkpkd_base_fingerprint). When it differs, the pre-hook empties the model's list and the strategy replaces the
  table, so no row parsed by older code or older lookups survives an incremental run.
#}

{% macro tkpkd_parsed_files_log() -%}
{{ api.Relation.create(database=target.database, schema='incremental', identifier='parsed_files') }}
{%- endmacro %}


{% macro tkpkd_base_fingerprints() -%}
{{ api.Relation.create(database=target.database, schema='incremental', identifier='base_fingerprints') }}
{%- endmacro %}


{#- `on-run-start` (dbt_project.yml), as for incremental.rebuilt_periods: dbt's threads would race to create them. -#}
{% macro tkpkd_create_new_files_state() -%}
create schema if not exists {{ target.database }}.incremental;
create table if not exists {{ tkpkd_parsed_files_log() }} (
    model varchar not null, _source_file varchar not null, _file_hash varchar not null
);
create table if not exists {{ tkpkd_base_fingerprints() }} (
    model varchar not null, fingerprint varchar not null, invocation_id varchar not null, built_at timestamp not null
)
{%- endmacro %}


{#
  Called by classified_rows, which every base model ends with: this is what makes a model a base model, with no
  line of its own (docs/adding-a-source.md).
#}
{% macro tkpkd_base_model_config() -%}
{%- if not tkpkd_keeps_incremental_state() -%}
    {%- do config(materialized='table') -%}
{%- else -%}
{%- do config(
    materialized='incremental',
    incremental_strategy='new_files',
    pre_hook='{{ tkpkd_prepare_new_files() }}',
    post_hook='{{ tkpkd_log_parsed_files() }}') -%}
{%- endif -%}
{%- endmacro %}


{#- dbt's `source`, except that a base model being built reads only the raw rows of the files it has not parsed. -#}
{% macro source(source_name, table_name) -%}
{%- set relation = builtins.source(source_name, table_name) -%}
{%- if execute and source_name == 'raw' and config.get('incremental_strategy') == 'new_files' -%}
    {{- return(tkpkd_unparsed_raw_rows(relation)) -}}
{%- endif -%}
{{- return(relation) -}}
{%- endmacro %}


{% macro tkpkd_unparsed_raw_rows(relation) -%}
(
        select * from {{ relation }} as unparsed
        where not exists (
            select 1 from {{ tkpkd_parsed_files_log() }} as parsed
            where parsed.model = '{{ this.identifier }}'
                and parsed._source_file = unparsed._source_file
                and parsed._file_hash = unparsed._file_hash
        )
    )
{%- endmacro %}


{#- The raw table a base model reads (its one dependency of resource type source). -#}
{% macro tkpkd_base_raw_relation() -%}
{%- for node_id in model.depends_on.nodes if node_id.startswith('source.') -%}
    {%- set node = graph.sources[node_id] -%}
    {{- return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.identifier)) -}}
{%- endfor -%}
{{- exceptions.raise_compiler_error(this.identifier ~ ' reads no raw source') -}}
{%- endmacro %}


{#
  What a base model's rows are a function of, besides their raw rows: its compiled SQL (the rendered parser calls,
  the bounds of var tkpkd_bounds, the optional raw columns found), the DuckDB parsing macros it calls (registered by
  orchestration/dbt_plugins/parsing_macros.py, read back from the warehouse) and the columns and content (row count
  and sum of row hashes) of every model or seed it reads (the stg_reference lookups, ref_codes). An md5.
#}
{% macro tkpkd_base_fingerprint() -%}
{#- The warehouse file's name is the database of every relation: a copy of the warehouse is the same build. -#}
{%- set database_prefix = adapter.quote(target.database) ~ '.' -%}
{%- set relations = [] -%}
{%- for node_id in model.depends_on.nodes | sort if not node_id.startswith('source.') -%}
    {%- set node = graph.nodes[node_id] -%}
    {%- do relations.append(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) -%}
{%- endfor -%}
{#- One query: every dbt statement costs a round trip through dbt's connection handling. -#}
{%- set parts -%}
select 'sql {{ local_md5(model.compiled_code | replace(database_prefix, '')) }}' as part
union all
select 'macro ' || function_name || parameters::varchar || ' ' || coalesce(macro_definition, '')
from duckdb_functions()
where function_type in ('macro', 'table_macro') and function_name like 'tkpkd\_%' escape '\'
{%- if relations %}
union all
select 'column ' || table_schema || '.' || table_name || ' ' || column_name || ' ' || data_type
from information_schema.columns
where table_catalog = '{{ target.database }}' and (table_schema, table_name) in (
    {%- for relation in relations %}
    ('{{ relation.schema }}', '{{ relation.identifier }}'){{ "," if not loop.last }}
    {%- endfor %}
)
{%- endif %}
{%- for relation in relations %}
union all
select '{{ relation.include(database=false) }} ' || count(*) || ' ' || coalesce(sum(hash(content))::hugeint, 0)
from {{ relation }} as content
{%- endfor %}
{%- endset -%}
{%- set fingerprint = run_query("select md5(string_agg(part, chr(10) order by part)) from (" ~ parts ~ ")") -%}
{{- return(fingerprint.columns[0].values()[0]) -}}
{%- endmacro %}


{#
  The pre-hook of every base model. A build that creates the table (the first, or `--full-refresh`) or that finds a
  fingerprint other than the stored one starts from an empty list of parsed files (everything is parsed again);
  otherwise the files no longer in raw leave the list, so that the strategy deletes their rows. The new fingerprint
  is stored after the list is emptied, in the same transaction: should the build fail and its writes stay, an empty
  list still means a full parse.
#}
{% macro tkpkd_prepare_new_files() -%}
{%- if execute -%}
{%- set stored = run_query(
    "select fingerprint from " ~ tkpkd_base_fingerprints() ~ " where model = '" ~ this.identifier ~ "'") -%}
{%- set stored_fingerprint = stored.columns[0].values()[0] if stored.rows | length else none -%}
{%- set fingerprint = tkpkd_base_fingerprint() -%}
{%- set rebuild = not is_incremental() or stored_fingerprint != fingerprint -%}
{%- if is_incremental() and rebuild -%}
    {%- do log(this.identifier ~ ': parsing code or lookups changed since the table was built (fingerprint '
        ~ (stored_fingerprint or 'none') ~ ', now ' ~ fingerprint ~ '): parsing every raw row again', info=True) -%}
{%- endif -%}
delete from {{ tkpkd_parsed_files_log() }} as parsed
where parsed.model = '{{ this.identifier }}'
{%- if not rebuild %}
    and not exists (
        select 1 from {{ tkpkd_base_raw_relation() }} as raw_rows
        where raw_rows._source_file = parsed._source_file and raw_rows._file_hash = parsed._file_hash
    )
{%- endif %};
delete from {{ tkpkd_base_fingerprints() }} where model = '{{ this.identifier }}';
insert into {{ tkpkd_base_fingerprints() }} values ('{{ this.identifier }}', '{{ fingerprint }}', '{{ invocation_id }}', now())
{%- endif -%}
{%- endmacro %}


{#- The post-hook of every base model: the files the table now holds, for the next build. -#}
{% macro tkpkd_log_parsed_files() -%}
{%- if execute -%}
delete from {{ tkpkd_parsed_files_log() }} where model = '{{ this.identifier }}';
insert into {{ tkpkd_parsed_files_log() }}
select distinct '{{ this.identifier }}', _source_file, _file_hash from {{ this }}
{%- endif -%}
{%- endmacro %}


{#
  The rows of the files still listed stay; the new files' rows are added. With nothing listed (a changed
  fingerprint, or every file gone from raw) the table is replaced, columns included, as a full build would.
#}
{% macro get_incremental_new_files_sql(arg_dict) -%}
{%- set target_relation, temp_relation = arg_dict['target_relation'], arg_dict['temp_relation'] -%}
{%- set column_list = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
{%- set listed = run_query(
    "select count(*) from " ~ tkpkd_parsed_files_log() ~ " where model = '" ~ this.identifier ~ "'") -%}
{%- if listed.columns[0].values()[0] == 0 -%}
create or replace table {{ target_relation }} as select * from {{ temp_relation }}
{%- else -%}
delete from {{ target_relation }} as base_rows
where not exists (
    select 1 from {{ tkpkd_parsed_files_log() }} as parsed
    where parsed.model = '{{ this.identifier }}'
        and parsed._source_file = base_rows._source_file and parsed._file_hash = base_rows._file_hash
);

insert into {{ target_relation }} ({{ column_list }})
select {{ column_list }} from {{ temp_relation }}
{%- endif -%}
{%- endmacro %}
