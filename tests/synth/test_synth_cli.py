"""The command line."""

from __future__ import annotations

from tkpkd_synth.cli import main


def test_generate_and_stats(tmp_path, capsys):
    inbox, truth = tmp_path / "inbox", tmp_path / "truth"
    assert main(["generate", "--scale", "tiny", "--periods", "3", "--end-period", "2025-06", "--inbox", str(inbox),
                 "--truth", str(truth), "--defect-rate", "0.5"]) == 0
    assert "dtsen_keluarga" in capsys.readouterr().out
    assert (truth / "rows.parquet").exists() and (inbox / "dukcapil" / "2025-06").is_dir()
    assert main(["generate", "--scale", "tiny", "--inbox", str(inbox), "--truth", str(truth)]) == 2
    assert main(["stats", "--scales", "tiny", "--periods", "3"]) == 0
    out = capsys.readouterr().out
    assert "families" in out and "persons" in out and "dukcapil rows" in out
