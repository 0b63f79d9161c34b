"""ingest.registry: one ordered tuple of datasets drives the CLI, `ingest all` and bootstrap."""

from __future__ import annotations

import argparse
import random
from dataclasses import replace
from pathlib import Path

import grimp
import pytest

from ingest import cli
from ingest.commands.all import plan_folder
from ingest.registry import (
    DATASETS,
    Dataset,
    RegistryError,
    Sniffed,
    dataset,
    dependency_order,
    sniff_file,
)
from ingest.sample import SAMPLE_FILES, write_sample_files


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_dataset_comes_after_its_dependencies() -> None:
    seen: set[str] = set()
    for d in DATASETS:
        assert set(d.after) <= seen, f"{d.name} before {set(d.after) - seen}"
        seen.add(d.name)
    # The dependencies that make `ingest all` work on an empty database.
    names = [d.name for d in DATASETS]
    assert names.index("lookups") > names.index("boundaries")
    assert names.index("postcodes") > names.index("lookups")
    assert names.index("activities") > names.index("postcodes")
    assert names.index("gtfs") > names.index("naptan")


def test_order_comes_from_dependencies_not_declaration() -> None:
    rng = random.Random(15)
    for _ in range(20):
        shuffled = list(DATASETS)
        rng.shuffle(shuffled)
        ordered = dependency_order(shuffled)
        position = {d.name: i for i, d in enumerate(ordered)}
        assert sorted(position) == sorted(d.name for d in DATASETS)
        for d in ordered:
            assert all(position[a] < position[d.name] for a in d.after)


def _stub(name: str, *after: str) -> Dataset:
    return replace(DATASETS[0], name=name, after=after)


def test_a_dependency_cycle_or_unknown_name_is_refused() -> None:
    with pytest.raises(RegistryError, match="cycle"):
        dependency_order([_stub("a", "b"), _stub("b", "a")])
    with pytest.raises(RegistryError, match="unknown"):
        dependency_order([_stub("a", "nowhere")])
    with pytest.raises(RegistryError, match="share a name"):
        dependency_order([_stub("a"), _stub("a")])
    assert [d.name for d in dependency_order([_stub("b", "a"), _stub("a")])] == ["a", "b"]


def test_every_cli_command_comes_from_the_registry_or_is_a_job() -> None:
    commands = _subcommands(cli.build_parser())
    names = list(commands)
    assert names[:len(DATASETS)] == [d.name for d in DATASETS]
    jobs = names[len(DATASETS):]
    assert jobs == ["all", "bootstrap", "create-user", "gaps", "feeds"]
    for d in DATASETS:
        assert commands[d.name].get_default("func") == d.command
    assert dataset("naptan").layer == "areas"


def test_sample_files_are_recognised_as_their_dataset(tmp_path: Path) -> None:
    paths = write_sample_files(tmp_path)
    for (command, _), path in zip(SAMPLE_FILES, paths, strict=True):
        found = sniff_file(path)
        assert found is not None and found.dataset.name == command, path.name
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert sniff_file(tmp_path / "notes.csv") is None


def test_plan_follows_the_registry_order_and_ranks(tmp_path: Path) -> None:
    write_sample_files(tmp_path)
    plan = plan_folder(tmp_path)
    position = {d.name: i for i, d in enumerate(DATASETS)}
    keys = [(position[f.dataset.name], f.sniffed.rank) for f in plan.loads]
    assert keys == sorted(keys) and plan.area_loads == plan.loads
    # A dataset list passed in is what the plan uses (how a new loader would join).
    only = plan_folder(tmp_path, [dataset("naptan")])
    assert [f.dataset.name for f in only.loads] == ["naptan"]


def test_a_sniffer_that_fails_only_passes_the_file_on(tmp_path: Path) -> None:
    def broken(path: Path) -> Sniffed | None:
        raise UnicodeDecodeError("utf-8", b"", 0, 1, "bad")

    (tmp_path / "x.csv").write_text("a\n", encoding="utf-8")
    claims = replace(DATASETS[0], name="claims", sniff=lambda p: Sniffed("claims"))
    found = sniff_file(tmp_path / "x.csv", [replace(DATASETS[0], sniff=broken), claims])
    assert found is not None and found.label == "claims"


def test_ingest_has_no_import_cycle() -> None:
    graph = grimp.build_graph("ingest", "app", cache_dir=None)
    modules = sorted(m for m in graph.modules if m.startswith("ingest"))
    for m in modules:
        for imported in graph.find_modules_directly_imported_by(m):
            if imported.startswith("ingest") and imported != m:
                chain = graph.find_shortest_chain(importer=imported, imported=m)
                assert chain is None, f"import cycle: {m} -> {' -> '.join(chain or ())}"
