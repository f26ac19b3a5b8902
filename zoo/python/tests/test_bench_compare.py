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


def tradeoff_rows():
    row = {"model": "m", "version": "2.0.0", "scheduler": "ddim-trailing", "steps": 2, "ensemble": 1,
           "initial_sample": "zeros", "ms": 60.0, "dice": 0.74, "dice_tumor": 0.71, "images": 78, "eval_command": "e"}
    return [row, {**row, "scheduler": "dpm++", "steps": 20, "ensemble": 5, "initial_sample": "noise", "ms": 1800.0,
                  "dice": 0.70}, {**row, "model": "m-int8", "ms": 45.0, "dice": 0.73}]


def test_the_dice_against_time_plot_is_an_svg_with_every_point_and_the_same_bytes_each_time(tmp_path):
    bench = load_bench_compare()
    bench.plot_tradeoff(tradeoff_rows(), tmp_path / "a.svg")
    bench.plot_tradeoff(tradeoff_rows(), tmp_path / "b.svg")
    svg = (tmp_path / "a.svg").read_text()
    assert svg.startswith("<?xml") and "<svg" in svg
    assert "dpm++ 20 x5" in svg and "ddim-trailing 2" in svg
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


def test_the_dice_against_time_table_has_a_row_per_point_and_names_the_start():
    bench = load_bench_compare()
    lines = bench.tradeoff_section({"tradeoff": {"runs": 3, "rows": tradeoff_rows()}})
    table = [line for line in lines if " 2.0.0 |" in line]
    assert len(table) == 3
    assert "| x_T = 0 | 60.0 | 16.67 | 0.7400 |" in table[0]
    assert "| noise | 1800.0 | 0.56 | 0.7000 |" in table[1]
    assert bench.tradeoff_section({}) == []
