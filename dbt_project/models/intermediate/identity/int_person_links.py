"""Record linkage of the person rows without a valid NIK (int_person_records.needs_linkage) to the people known by
a valid NIK, with Splink on its own in-memory DuckDB (orchestration.identity.linkage: model, threshold, decision).
One row per row to resolve: the decision, the linked NIK where accepted, and the evidence (match probability,
the runner-up's probability, the number of candidate people). Restricted: schema `intermediate`.
"""

# the linkage's columns that the two sides take as int_person_records has them (the others differ per side below)
PER_SIDE = ("born_on_or_after", "nik_prefix")


def model(dbt, session):
    dbt.config(materialized="table")
    from orchestration.identity.linkage import LINK_COLUMNS, link

    shared = ", ".join(column for column in LINK_COLUMNS if column not in PER_SIDE)
    records = dbt.ref("int_person_records")
    to_resolve = records.filter("needs_linkage").project(
        f"record_id, {shared}, born_on_or_after, nik_surviving_digits as nik_prefix"
    ).to_arrow_table()
    # one row per distinct description of a known person: repeated snapshot rows add nothing
    reference = records.filter("not needs_linkage").project(
        f"nik, {shared}, cast(null as date) as born_on_or_after, nik as nik_prefix"
    ).distinct().to_arrow_table()
    decisions = link(to_resolve, reference).decisions
    return decisions[
        ["record_id", "outcome", "linked_nik", "candidate_nik", "match_probability", "best_share", "candidates",
         "unresolved_reason"]
    ]
