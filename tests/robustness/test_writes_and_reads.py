"""helpers.artifacts under faults: a write that fails loses nothing and says why; a damaged cached file is
named in one warning, moved aside and read as absent; an intact one is read as it is."""

from __future__ import annotations

import errno
import logging
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

from helpers import artifacts


def no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def damage(path, how: str) -> None:
    """Truncate ``path`` to half its bytes, or garble 64 bytes in its middle (as a bad copy leaves it)."""
    data = bytearray(path.read_bytes())
    if how == "truncate":
        path.write_bytes(bytes(data[:len(data) // 2]))
    else:
        middle = len(data) // 2
        data[middle:middle + 64] = bytes((b + 97) % 256 for b in data[middle:middle + 64])
        path.write_bytes(bytes(data))


def warnings_naming(caplog, path) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and path.name in r.getMessage()]


# --------------------------------------------------------------------------------- writes
@pytest.mark.parametrize("where", ["write", "replace"])
def test_a_write_without_space_keeps_the_previous_file_and_names_the_path_and_the_error(tmp_path, monkeypatch, where):
    path = artifacts.write_json(tmp_path / "summary.json", {"version": 1})
    if where == "replace":
        monkeypatch.setattr(artifacts.os, "replace", no_space)
        write = lambda fh: fh.write(b"{}")  # noqa: E731
    else:
        write = lambda fh: no_space()  # noqa: E731
    with pytest.raises(artifacts.WriteFailed) as failed:
        artifacts.atomic_write(path, write)
    message = str(failed.value)
    assert message == ("could not write summary.json: No space left on device (ENOSPC); "
                       "the previous version is unchanged")
    assert failed.value.errno == errno.ENOSPC and isinstance(failed.value, OSError)
    assert str(tmp_path) not in message  # no absolute path of this machine
    travelled = pickle.loads(pickle.dumps(failed.value))  # as from a worker process to its parent
    assert str(travelled) == message and travelled.errno == errno.ENOSPC and travelled.path == path
    monkeypatch.undo()
    assert artifacts.read_json(path) == {"version": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]  # no temporary left behind


def test_a_failed_first_write_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(np, "savez", no_space)
    with pytest.raises(artifacts.WriteFailed, match=r"could not write arrays\.npz: No space left on device "
                                                    r"\(ENOSPC\); nothing was written"):
        artifacts.save_npz(tmp_path / "arrays.npz", a=np.arange(3))
    assert list(tmp_path.iterdir()) == []


def test_other_errors_of_the_writer_pass_through_unchanged(tmp_path):
    def fail(fh):
        raise RuntimeError("a bug, not the disk")

    with pytest.raises(RuntimeError, match="a bug, not the disk"):
        artifacts.atomic_write(tmp_path / "x.json", fail)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------- reads
@pytest.fixture
def files(tmp_path):
    json_path = artifacts.write_json(tmp_path / "record.json", {"cache_key": {"seed": 1}, "values": list(range(200))})
    npz_path = artifacts.save_npz(tmp_path / "arrays.npz", proba=np.linspace(0, 1, 500), weights=np.eye(20))
    return json_path, npz_path


@pytest.mark.parametrize("how", ["truncate", "garble"])
@pytest.mark.parametrize("kind", ["json", "npz"])
def test_a_damaged_cached_file_is_named_once_moved_aside_and_read_as_absent(files, caplog, kind, how):
    path = files[0] if kind == "json" else files[1]
    damage(path, how)
    read = artifacts.cached_json if kind == "json" else artifacts.cached_npz
    with caplog.at_level(logging.WARNING):
        assert read(path) is None
    said = warnings_naming(caplog, path)
    assert len(said) == 1 and "damaged cache file" in said[0] and f"{path.name}.damaged" in said[0]
    assert "\n" not in said[0] and str(path.parent) not in said[0]
    assert not path.exists() and path.with_name(path.name + ".damaged").is_file()
    caplog.clear()
    assert read(path) is None and not caplog.records  # now simply absent


def test_content_that_does_not_match_its_key_is_damaged(files, caplog):
    json_path, npz_path = files
    with caplog.at_level(logging.WARNING):
        assert artifacts.cached_json(json_path, check=lambda r: None if r["cache_key"] == {"seed": 2} else
                                     "its cache key is not the one its name stands for") is None
        assert artifacts.cached_npz(npz_path, require=["proba", "threshold"]) is None
    assert "its cache key is not the one its name stands for" in warnings_naming(caplog, json_path)[0]
    assert "lacks threshold" in warnings_naming(caplog, npz_path)[0]


def test_intact_files_are_read_as_they_are_without_a_word(files, caplog):
    json_path, npz_path = files
    with caplog.at_level(logging.WARNING):
        assert artifacts.cached_json(json_path, check=lambda r: None)["values"] == list(range(200))
        arrays = artifacts.cached_npz(npz_path, keys=["weights"], require=["weights"])
        assert artifacts.cached_json(json_path.with_name("absent.json")) is None
    assert list(arrays) == ["weights"] and np.array_equal(arrays["weights"], np.eye(20))
    assert not caplog.records


def test_a_damaged_file_that_cannot_be_moved_aside_says_what_to_do(files, monkeypatch):
    json_path, _ = files
    damage(json_path, "truncate")
    monkeypatch.setattr(artifacts.os, "replace", lambda *a: (_ for _ in ()).throw(OSError(errno.EROFS, "Read-only")))
    with pytest.raises(OSError, match=r"the damaged cache file record\.json \(JSONDecodeError: .*\) could not be "
                                      r"moved aside \(Read-only\): delete it and run again"):
        artifacts.cached_json(json_path)


def test_temporaries_of_killed_writers_are_removed_by_the_next_write(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process id that no process holds now
    orphan = tmp_path / f".run.npz.{gone.pid}.k3j2.tmp"
    running = tmp_path / f".run.npz.{os.getpid()}.x9q1.tmp"  # a live writer's: left alone
    other = tmp_path / f".other.npz.{gone.pid}.a1b2.tmp"  # another file's: removed when that file is written
    for path in (orphan, running, other):
        path.write_bytes(b"half")
    artifacts.save_npz(tmp_path / "run.npz", a=np.arange(3))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["run.npz", running.name, other.name])
