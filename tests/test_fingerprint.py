"""helpers.fingerprint: the one source fingerprint of every cache key follows the bytes of the modules
it names, and refuses a name it cannot find (a module moved or renamed) instead of covering nothing."""

from __future__ import annotations

import shutil

import pytest

from helpers import fingerprint
from helpers.cost import profiling
from helpers.fingerprint import module_file, source_fingerprint
from helpers.study import runs, tuning


def test_a_changed_byte_changes_the_fingerprint(helpers_copy):
    names = ("models.losses", "study.runs")
    before = source_fingerprint(names)
    assert len(before) == 16 and int(before, 16) >= 0
    losses = helpers_copy / "models" / "losses.py"
    losses.write_bytes(losses.read_bytes().replace(b"def ", b"def  ", 1))
    after = source_fingerprint(names)
    assert after != before
    assert source_fingerprint(("study.runs",)) == source_fingerprint(["study.runs"])  # untouched: same as before
    losses.write_bytes(losses.read_bytes().replace(b"def  ", b"def ", 1))
    assert source_fingerprint(names) == before  # the same bytes give the same fingerprint again


def test_order_and_repeats_do_not_matter_but_the_names_do(helpers_copy):
    a = source_fingerprint(["models.losses", "models.layers"])
    assert a == source_fingerprint(["models.layers", "models.losses", "models.losses"])
    assert a != source_fingerprint(["models.layers"])
    # the same bytes under another name are another fingerprint
    shutil.copy(helpers_copy / "models" / "losses.py", helpers_copy / "models" / "losses_copy.py")
    assert source_fingerprint(["models.losses"]) != source_fingerprint(["models.losses_copy"])


def test_a_moved_module_is_refused_by_its_old_name(helpers_copy):
    old = helpers_copy / "models" / "losses.py"
    assert source_fingerprint(["models.losses"])
    old.rename(helpers_copy / "losses.py")  # moved out of models/
    with pytest.raises(ModuleNotFoundError, match=r"helpers\.models\.losses"):
        source_fingerprint(["models.base", "models.losses"])
    assert source_fingerprint(["losses"])  # found under its new name
    (helpers_copy / "losses.py").rename(helpers_copy / "loss_functions.py")  # renamed
    with pytest.raises(ModuleNotFoundError, match="update the cache's module list"):
        source_fingerprint(["losses"])


def test_a_package_is_read_from_its_init(helpers_copy):
    assert module_file("models") == helpers_copy / "models" / "__init__.py"
    assert module_file("study.runs") == helpers_copy / "study" / "runs.py"


@pytest.mark.parametrize("name", ["", ".models", "models.", "models..losses", "nonexistent"])
def test_malformed_or_unknown_names_are_refused(name):
    with pytest.raises(ModuleNotFoundError):
        module_file(name)


def test_no_modules_is_refused():
    with pytest.raises(ValueError, match="no modules"):
        source_fingerprint([])


@pytest.mark.parametrize("modules", [runs.CODE_MODULES, tuning.CODE_MODULES, profiling.MEASURING_MODULES],
                         ids=["study.runs", "study.tuning", "cost.profiling"])
def test_every_cache_key_names_modules_that_exist(modules):
    assert fingerprint.HELPERS.name == "helpers"
    for name in modules:
        assert module_file(name).is_file()
    assert len(source_fingerprint(modules)) == 16


def test_the_benchmark_key_covers_the_loss():
    assert "models.losses" in profiling.MEASURING_MODULES
    assert {"models.losses", "models.layers", "models.base"} <= set(runs.CODE_MODULES)
