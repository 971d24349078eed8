"""Families across KK changes on generated data: the generator reissues a family's KK when the head dies, Dukcapil
lists the survivors under the new number at once, and DTSEN, payout and partner lists copy it months later. Rows
under the old number from Dukcapil's renumbering on belong to the family holding the new number; the old number's
history stays. Checked against the generator's truth (family_kk_numbers.parquet, rows.parquet family_id)."""

import duckdb
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def warehouse(pipeline_run):
    assert pipeline_run.result.success
    connection = duckdb.connect(str(pipeline_run.warehouse), read_only=True)
    truth = pipeline_run.truth
    connection.execute(f"create temp view truth_rows as select * from read_parquet('{truth}/rows.parquet')")
    connection.execute(f"create temp view truth_files as select * from read_parquet('{truth}/files.parquet')")
    connection.execute(
        f"create temp view truth_kk_numbers as select * from read_parquet('{truth}/family_kk_numbers.parquet')"
    )
    # Per reissued family: its old and new number and keys, and the first period a loaded Dukcapil snapshot lists
    # a survivor under the new number (from then on the old number is retired).
    connection.execute("""
        create temp table reissues as
        select
            new.family_id,
            old.kk_number as old_kk,
            new.kk_number as new_kk,
            old_keys.family_key as old_key,
            new_keys.family_key as new_key,
            (select min(_period) from staging.stg_dukcapil__residents d
             where d.kk_number = new.kk_number and d.population_status = 'HIDUP') as renumbered_from
        from truth_kk_numbers new
        join truth_kk_numbers old on old.family_id = new.family_id and old.reason = 'issued'
        join pii.family_identities old_keys on old_keys.kk_number = old.kk_number
        join pii.family_identities new_keys on new_keys.kk_number = new.kk_number
        where new.reason = 'head_died'
    """)
    # Every row the truth says carries a reissued family's old number, with its period and resolution.
    connection.execute("""
        create temp table old_number_rows as
        select reissues.*, truth_files.period, resolution.source, resolution._source_file, resolution._row_number,
               resolution.family_key, resolution.family_source, resolution.kk_dukcapil_match
        from truth_rows
        join truth_files using (path)
        join reissues on reissues.family_id = truth_rows.family_id and reissues.old_kk = truth_rows.kk_true
        join intermediate.int_person_resolution resolution
            on resolution._source_file = truth_rows.path and resolution._row_number = truth_rows.row_number
        where resolution.kk_dukcapil_match <> 'no_usable_kk'
    """)
    yield connection
    connection.close()


def test_the_generator_reissued_kks_and_the_lineage_finds_them_as_renumbered(warehouse):
    reissues, found, kinds = warehouse.execute("""
        select count(*), count(lineage.from_kk_number), list(distinct lineage.change_kind)
        from reissues
        left join intermediate.int_kk_lineage lineage
            on lineage.from_family_key = reissues.old_key and lineage.to_family_key = reissues.new_key
        where reissues.renumbered_from is not null
    """).fetchone()
    assert reissues >= 2
    assert found == reissues
    assert kinds == ["renumbered"]


def test_rows_under_the_old_number_after_the_renumbering_belong_to_the_new_number(warehouse):
    """Lagging sources (DTSEN, bansos, verification minutes, RTLH, partners) write the old number for months after
    Dukcapil renumbered the family; each such row belongs to the new number's family, each earlier row to the old
    number's (the history stays)."""
    rows = warehouse.execute("""
        select
            period >= renumbered_from as after,
            count(*),
            count(*) filter (where family_key = new_key and family_source = 'kk_lineage'),
            count(*) filter (where family_key = old_key and family_source = 'row_kk'),
            list(distinct source)
        from old_number_rows
        where source <> 'dukcapil'
        group by all
    """).fetchall()
    by_when = {after: (total, on_new, on_old, sources) for after, total, on_new, on_old, sources in rows}
    after_total, after_on_new, _, sources = by_when[True]
    assert after_total > 0 and after_on_new == after_total
    assert {"dtsen_individu", "bansos"} <= set(sources)
    before_total, _, before_on_old, _ = by_when[False]
    assert before_total > 0 and before_on_old == before_total


def test_every_lineage_attribution_is_the_rows_true_family(warehouse):
    wrong, total = warehouse.execute("""
        select count(*) filter (where numbers.family_id is distinct from truth_rows.family_id), count(*)
        from intermediate.int_person_resolution resolution
        join truth_rows on truth_rows.path = resolution._source_file and truth_rows.row_number = resolution._row_number
        join pii.family_identities identities on identities.family_key = resolution.family_key
        left join truth_kk_numbers numbers on numbers.kk_number = identities.kk_number
        where resolution.family_source = 'kk_lineage'
    """).fetchone()
    assert total > 0
    assert wrong == 0


def test_benefits_under_the_old_number_land_on_the_renumbered_family(warehouse):
    """A delivery under the old number after the renumbering carries the new number's family as its row family; in
    fct_assistance it lands on the same true family: the new number's, or the old number's only while the registry
    (DTSEN, which copies the new number late) still lists the family under it in that period."""
    total, row_family_new, fact_true_family, fact_unregistered_old = warehouse.execute("""
        select
            count(*),
            count(*) filter (where deliveries.row_family_key = rows.new_key and deliveries.row_family_source = 'kk_lineage'),
            count(*) filter (where facts.family_key in (rows.new_key, rows.old_key)),
            count(*) filter (where facts.family_key = rows.old_key and not facts.family_in_registry_on_delivery)
        from old_number_rows rows
        join intermediate.int_assistance_deliveries deliveries
            on deliveries._source_file = rows._source_file and deliveries._row_number = rows._row_number
        join main.fct_assistance facts on facts.assistance_key = deliveries.assistance_key
        where rows.period >= rows.renumbered_from
    """).fetchone()
    assert total > 0
    assert row_family_new == total
    assert fact_true_family == total
    assert fact_unregistered_old == 0


def test_the_old_numbers_history_stays_queryable(warehouse):
    reissues, with_history, predecessors_right, new_in_dim = warehouse.execute("""
        select
            count(*),
            count(*) filter (where exists (
                select 1 from intermediate.int_family_memberships m where m.family_key = reissues.old_key)),
            count(*) filter (where not exists (
                select 1 from main.dim_family f
                where f.family_key = reissues.new_key and f.predecessor_family_key is distinct from reissues.old_key)),
            count(*) filter (where exists (select 1 from main.dim_family f where f.family_key = reissues.new_key))
        from reissues
        where renumbered_from is not null
    """).fetchone()
    assert reissues > 0
    assert with_history == reissues
    assert new_in_dim == reissues
    assert predecessors_right == reissues
