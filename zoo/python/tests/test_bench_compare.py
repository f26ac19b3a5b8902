"""samples/bench_compare.py: a partial rerun (--parts) into a new --out folder keeps the other parts from the
committed docs/benchmarks.json, and says what it needs when there is none."""
import importlib.util
import json

import pytest

from conftest import REPO


def load_bench_compare():
    spec = importlib.util.spec_from_file_location("bench_compare", REPO / "samples" / "bench_compare.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_new_out_folder_starts_from_the_committed_figures(tmp_path):
    bench = load_bench_compare()
    assert bench.previous_figures(tmp_path / "new", {"main"}) == bench.DEFAULT_OUT / "benchmarks.json"
    (tmp_path / "benchmarks.json").write_text(json.dumps({"date": "x"}))
    assert bench.previous_figures(tmp_path, {"main"}) == tmp_path / "benchmarks.json"


def test_a_partial_run_without_any_benchmarks_json_says_what_it_needs(tmp_path, monkeypatch, capsys):
    bench = load_bench_compare()
    monkeypatch.setattr(bench, "DEFAULT_OUT", tmp_path / "no-docs")
    with pytest.raises(SystemExit) as exit_info:
        bench.main(["--parts", "main", "--out", str(tmp_path / "new")])
    assert exit_info.value.code == 2
    assert "run all parts" in capsys.readouterr().err


def test_sections_measured_by_other_commands_survive_a_rerun(tmp_path):
    bench = load_bench_compare()
    page = tmp_path / "benchmarks.md"
    assert bench.kept_sections(page) == ""
    page.write_text("# Benchmarks\n\n## Targets\nold\n\n## int8 variant\nratio 1.53\n")
    assert bench.kept_sections(page) == "\n## int8 variant\nratio 1.53\n"
