{#
  Privacy (warehouse.md, "Keys and privacy"): the star schema in schema main holds no direct identifier. Fails with
  one row per offending column:
  - a column named like an identifier (NIK, KK number, a person's name, address, birth date, phone), keys excepted;
  - a text column (keys excepted) holding a 16-digit value (a NIK or KK number);
  - a date column about birth.
  Official region, programme and agency names (kecamatan_name, kelurahan_name, program_name, agency_name) are not
  personal and are allowed.
#}
-- depends_on: {{ ref('dim_region') }}
-- depends_on: {{ ref('dim_family') }}
-- depends_on: {{ ref('dim_person') }}
-- depends_on: {{ ref('dim_program') }}
-- depends_on: {{ ref('dim_agency') }}
-- depends_on: {{ ref('dim_date') }}
-- depends_on: {{ ref('fct_assistance') }}
-- depends_on: {{ ref('fct_family_month') }}
{%- set marts = [
    'dim_region', 'dim_family', 'dim_person', 'dim_program', 'dim_agency', 'dim_date', 'fct_assistance',
    'fct_family_month',
] %}
{%- set text_columns = [] %}
{%- if execute %}
    {%- set found = run_query(
        "select table_name, column_name from duckdb_columns() where database_name = current_database() "
        ~ "and schema_name = '" ~ target.schema ~ "' and data_type = 'VARCHAR' and column_name not like '%\\_key' escape '\\' "
        ~ "and table_name in ('" ~ marts | join("', '") ~ "') order by 1, 2"
    ) %}
    {%- for row in found.rows %}
        {%- do text_columns.append((row[0], row[1])) %}
    {%- endfor %}
{%- endif %}

with mart_columns as (
    select table_name, column_name, data_type
    from duckdb_columns()
    where database_name = current_database()
        and schema_name = '{{ target.schema }}'
        and table_name in ('{{ marts | join("', '") }}')
),

named_like_identifiers as (
    select table_name, column_name, 'column named like a direct identifier' as problem
    from mart_columns
    where column_name not like '%\_key' escape '\'
        and (
            regexp_matches(
                column_name,
                '(^|_)(nik|kk|no_kk|nomor_kk|kk_number|address|alamat|birth_date|tanggal_lahir|phone|telepon|hp)($|_)'
            )
            or regexp_matches(
                column_name, '(^|_)(full|person|recipient|head_of_family|owner|customer|debtor|member)_name($|_)'
            )
            or column_name in ('name', 'nama')
        )
),

birth_dates as (
    select table_name, column_name, 'date column about birth' as problem
    from mart_columns
    where data_type = 'DATE' and column_name like '%birth%'
),

sixteen_digit_values as (
    {%- for table_name, column_name in text_columns %}
    select '{{ table_name }}' as table_name, '{{ column_name }}' as column_name, 'holds 16-digit values' as problem
    from {{ target.schema }}.{{ table_name }}
    where regexp_full_match({{ adapter.quote(column_name) }}, '[0-9]{16}')
    having count(*) > 0
    union all
    {%- endfor %}
    select null, null, null where false
)

select * from named_like_identifiers
union all
select * from birth_dates
union all
select * from sixteen_digit_values
