{# Each step of the empowerment pathway is a subset of the step before it. #}
select *
from {{ ref('rpt_empowerment_pathway') }}
where trained > working_age_members
    or trained_with_business > trained
    or trained_with_business_and_credit > trained_with_business
    or pathway_complete > trained_with_business_and_credit
    or trained_working > trained
    or pathway_complete > trained_working
