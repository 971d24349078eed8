"""`make test`'s pytest-xdist groups (tests/conftest.py) reach the scheduler: under `--dist loadgroup` xdist
schedules by the `@<group>` suffix its worker adds to each node id, from the markers present when it reads them."""

import os

import pytest


@pytest.mark.skipif("PYTEST_XDIST_WORKER" not in os.environ, reason="only a pytest-xdist worker groups its tests")
def test_a_files_tests_carry_its_group(request):
    assert request.node.nodeid.endswith("@tests/test_worker_groups.py")
