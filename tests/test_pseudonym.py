import hashlib
import hmac

import duckdb
import pytest

from orchestration.dbt_plugins.pseudonym import Plugin
from orchestration.pseudonym import Pseudonymiser, pseudonymise

NIK = "6171015708450001"


def test_key_is_hmac_sha256_of_kind_and_identifier():
    expected = hmac.new(b"secret", f"nik:{NIK}".encode(), hashlib.sha256).hexdigest()
    assert pseudonymise("secret", "nik", NIK) == expected


def test_same_secret_gives_stable_keys_and_another_secret_differs():
    assert Pseudonymiser("one").key("nik", NIK) == Pseudonymiser("one").key("nik", NIK)
    assert Pseudonymiser("one").key("nik", NIK) != Pseudonymiser("two").key("nik", NIK)


def test_nik_and_kk_with_the_same_digits_get_different_keys():
    assert pseudonymise("s", "nik", NIK) != pseudonymise("s", "kk", NIK)


def test_missing_identifier_has_no_key_and_bad_input_is_refused():
    assert pseudonymise("s", "nik", None) is None
    with pytest.raises(ValueError):
        pseudonymise("s", "npwp", NIK)
    with pytest.raises(ValueError):
        Pseudonymiser("")


def test_dbt_plugin_registers_the_same_function_in_duckdb():
    connection = duckdb.connect()
    Plugin(name="pseudonym", plugin_config={"secret": "s"}).configure_connection(connection)
    rows = connection.execute(
        "select pseudonym('kk', id) from (values (?), (null)) ids(id)", [NIK]
    ).fetchall()
    assert rows == [(pseudonymise("s", "kk", NIK),), (None,)]
