"""The CI part of the fault-injection suite (scripts/fault_injection.py; `make fuzz` runs the full one).

On the tiny sample with two periods: one reference run, one run with every hostile file and random-bytes files,
and two runs SIGKILLed inside the two longest steps then rerun. Each compares with the reference: nothing of the
good files lost, the published analytics tables identical after a kill.
"""

from __future__ import annotations

import random

import pytest

from scripts.fault_injection import Kill, fuzz_round, kill_round, print_results, reference_run

pytestmark = pytest.mark.e2e
SEED = 11


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return reference_run(
        tmp_path_factory.mktemp("fault_injection"), scale="tiny", seed=SEED, periods=2
    )


def test_hostile_and_random_files_cost_only_themselves(reference, tmp_path):
    result = fuzz_round(reference, tmp_path / "fuzz", random.Random(SEED))
    print_results([result])
    assert (result.outcome, result.differences) == ("run succeeded", [])


def test_a_run_killed_in_its_longest_step_reruns_to_the_reference(reference, tmp_path):
    longest = sorted(reference.windows, key=reference.duration, reverse=True)
    rng = random.Random(SEED)
    # Killed a random moment into the step, which is at least as long as in the reference on this machine's load.
    results = [
        kill_round(
            reference, tmp_path / step, Kill(step, rng.uniform(0, 0.5) * reference.duration(step))
        )
        for step in longest[:1]
    ]
    print_results(results)
    assert [(result.outcome, result.differences) for result in results] == [("rerun succeeded", [])]
