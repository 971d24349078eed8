{#
  rpt_targeting's counts nest: eligible recipients are recipients and eligible; inclusion errors and proposed
  families are recipients; the reasons of an inclusion error never exceed the errors; dead-recipient rupiah is part
  of the rupiah delivered.
#}
select *
from {{ ref('rpt_targeting') }}
where eligible_recipient_families > eligible_families
    or eligible_recipient_families > recipient_families
    or inclusion_error_families + recipient_families_proposed > recipient_families
    or inclusion_not_in_registry_families > inclusion_error_families
    or inclusion_inactive_families > inclusion_error_families
    or inclusion_above_max_desil_families > inclusion_error_families
    or inclusion_graduated_families > inclusion_above_max_desil_families
    or inclusion_dead_recipient_families > inclusion_error_families
    or deliveries_to_dead_recipients > deliveries
    or amount_idr_to_dead_recipients > amount_idr
    or recipient_families > deliveries
