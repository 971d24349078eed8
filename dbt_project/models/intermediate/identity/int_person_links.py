"""Record linkage of the person rows without a valid NIK (int_person_records.needs_linkage) to the people known by
a valid NIK, with Splink on its own in-memory DuckDB (orchestration.identity.linkage: model, threshold, decision).
One row per row to resolve: the decision, the linked NIK where accepted, and the evidence (match probability,
the runner-up's probability, the number of candidate people). Restricted: schema `intermediate`.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from orchestration.identity.linkage import RECORD_COLUMNS_SQL, REFERENCE_COLUMNS_SQL, link

    records = dbt.ref("int_person_records")
    to_resolve = records.filter("needs_linkage").project(RECORD_COLUMNS_SQL).to_arrow_table()
    # one row per distinct description of a known person: repeated snapshot rows add nothing
    reference = records.filter("not needs_linkage").project(REFERENCE_COLUMNS_SQL).distinct().to_arrow_table()
    decisions = link(to_resolve, reference).decisions
    return decisions[
        ["record_id", "outcome", "linked_nik", "candidate_nik", "match_probability", "best_share", "candidates",
         "unresolved_reason"]
    ]
