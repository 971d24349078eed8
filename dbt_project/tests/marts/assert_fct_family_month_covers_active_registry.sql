{#
  fct_family_month holds exactly the active families (verified, unverified, graduated) of the registry as of each
  period: no active family is missing and no inactive or proposed family is counted.
#}
with expected as (
    select family_key, period
    from {{ ref('int_registry_family_months') }}
    where registry_status in ('verified', 'unverified', 'graduated')
),

actual as (
    select family_key, period
    from {{ ref('fct_family_month') }}
)

select
    'missing from fct_family_month' as problem,
    missing.*
from (
    select * from expected
    except
    select * from actual
) as missing
union all
select
    'not an active registry family' as problem,
    unexpected.*
from (
    select * from actual
    except
    select * from expected
) as unexpected
