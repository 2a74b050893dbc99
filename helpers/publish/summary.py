"""What the README's results section is generated from: compact summaries the notebooks save.

Notebook 04 saves ``<results_dir>/<split>/summary_study.json`` (the across-seed table, the paired
differences with their verdicts and the conclusion sentences) and notebook 05 saves
``<results_dir>/summary_schemes.json`` (every model under every scheme); notebook 06 saves the cost
study. :func:`headline_markdown` turns them into the README's short results section that ``make publish``
writes, so every number there comes from the run that published the notebooks; the full tables stay in
the notebooks and the combined PDF.
"""

from __future__ import annotations

from helpers import paths
from helpers.artifacts import cached_json, read_json, write_json  # noqa: F401 (read_json: for the tests)
from helpers.compare.evidence import spread
from helpers.compare.verdicts import contestant_head
from helpers.cost.record import current_record
from helpers.cost.sentences import contestant_item
from helpers.study.runs import CONTESTANTS, NETWORKS

__all__ = ["save_study", "load_study", "save_schemes", "headline_markdown", "references_sentence", "contestants_sentence",
           "speed_sentence", "memory_sentence", "targets_sentence"]

_METRICS = ("pr_auc", "roc_auc", "f1", "precision", "recall")


def _study_path(results_dir, split):
    return paths.resolve(results_dir, paths.RESULTS_DIR) / split / "summary_study.json"


def _schemes_path(results_dir):
    return paths.resolve(results_dir, paths.RESULTS_DIR) / "summary_schemes.json"


def save_study(results_dir, meta: dict, runs, resamples, diffs: list[dict], margins: dict, conclusions: list[str]):
    """Write notebook 04's summary (atomically); returns the path."""
    table = {m: {k: spread(runs, resamples, m, k) for k in _METRICS} for m in runs.models}
    thresholds = {m: runs.thresholds(m).tolist() for m in runs.models}
    record = {"split": runs.split, "seeds": runs.seeds, "source": meta["source"], "sample_rows": meta.get("sample_rows"),
              "test_rows": int(len(runs.y_test)), "clustered": resamples.clustered,
              "n_resamples": resamples.n_resamples, "redraw_validation": bool(runs.meta.get("redraw_validation")),
              "margins": margins, "table": table, "thresholds": thresholds,
              "diffs": [{k: d[k] for k in ("label", "metric", "estimate", "low", "high", "sd")} for d in diffs],
              "conclusions": conclusions}
    return write_json(_study_path(results_dir, runs.split), record)


def load_study(results_dir, split: str) -> dict:
    """Notebook 04's saved summary of ``split`` (raises with a hint when 04 has not run, or when the file
    was damaged: it is then moved aside with a one-line warning, :func:`helpers.artifacts.read_cached`)."""
    study = cached_json(_study_path(results_dir, split), check=_study_problem)
    if study is None:
        raise FileNotFoundError(f"no saved study for split {split!r}: run notebook 04 first")
    return study


def _study_problem(study: dict) -> str | None:
    """Why a saved study cannot be read back (None: it can)."""
    lacking = [k for k in ("split", "seeds", "source", "margins", "table", "conclusions") if k not in study]
    return f"it lacks {', '.join(lacking)}" if lacking else None


def save_schemes(results_dir, cells: dict, diffs: dict, sentences: list[str], repeats: int):
    """Write notebook 05's summary (atomically); returns the path."""
    plain = {s: {k: {m: d[k][m] for m in ("estimate", "low", "high")} for k in ("frameworks", "boosting", "logistic")}
             for s, d in diffs.items()}
    return write_json(_schemes_path(results_dir), {"cells": cells, "diffs": plain, "sentences": sentences,
                                                    "repeats": repeats})


def _framework_sentence(study: dict) -> str:
    """The study's own framework verdict (the first conclusion, worded by :mod:`helpers.compare.verdicts`)."""
    return next((c for c in study["conclusions"] if c.startswith("**Frameworks.**")), study["conclusions"][0])


def references_sentence(study: dict) -> str:
    """The network chosen on validation against the reference models: the study's own verdicts (worded by
    :mod:`helpers.compare.verdicts`), joined; no model is ranked on test rows here."""
    found = [c for c in study["conclusions"] if c.startswith("**Against the references")]
    if not found:
        return "**Against the references.** Not compared in this study."
    head = found[0].split(".**", 1)[0] + ".**"
    return head + " " + " ".join(c.split(".**", 1)[1].strip() for c in found)


def contestants_sentence(study: dict) -> str | None:
    """The NumPy MLP against each contestant (scikit-learn's network): the study's own verdicts (worded by
    :func:`helpers.compare.verdicts.contestant_verdicts`), joined; None when the study has none."""
    heads = tuple(contestant_head(NETWORKS[0], c) for c in CONTESTANTS)
    found = [c for c in study["conclusions"] if c.startswith(heads)]
    return " ".join(found) or None


def speed_sentence(bench: dict, batch_size: int = 512) -> str:
    """NumPy against PyTorch epoch time at ``batch_size`` on one thread, from one benchmark run, with the
    spread of the ratio over the interleaved sweep pairs."""
    s = bench["summary"]
    one = str(s.get("target_threads", 1))
    numpy_s = s["batch"].get(f"numpy/{one}", {}).get(str(batch_size))
    torch_s = s["batch"].get(f"torch/{one}", {}).get(str(batch_size))
    if numpy_s is None or torch_s is None:
        return f"**Speed.** Not measured at batch {batch_size:,} in the current benchmark."
    ratio = torch_s / numpy_s
    faster = "NumPy" if ratio >= 1 else "PyTorch"
    spread = s.get("ratio_spread", {}).get(f"batch {batch_size}, {one} thread(s)")
    noise = (f"; NumPy / PyTorch epoch time {spread['low']:.2f}-{spread['high']:.2f} over {len(spread['values'])} "
             "interleaved sweep pairs" if spread else "")
    return (f"**Speed.** At the report's batch size ({batch_size:,}), one epoch takes {numpy_s * 1e3:.0f} ms in NumPy "
            f"and {torch_s * 1e3:.0f} ms in PyTorch on one thread: {faster} is {max(ratio, 1 / ratio):.1f} x faster"
            f"{noise} (same run; notebook 06 shows where the time goes).")


def memory_sentence(bench: dict) -> str:
    """Private memory (USS) at the end of training of the fresh NumPy and PyTorch processes, their peaks,
    and the largest piece."""
    s = bench["summary"]
    one = str(s.get("target_threads", 1))
    n, t = s["train"][f"numpy/{one}"], s["train"][f"torch/{one}"]
    text = (f"**Memory.** A fresh training process ends training with {n['uss_mb']:.0f} MB of private memory (USS) "
            f"with NumPy and {t['uss_mb']:.0f} MB with PyTorch ({t['uss_mb'] - n['uss_mb']:+.0f} MB; peak resident "
            f"{n['rusage_peak_mb']:.0f} and {t['rusage_peak_mb']:.0f} MB)")
    stack = s.get("memory_stack", {}).get("torch")
    if stack:
        biggest = max(stack[1:], key=lambda step: step["added_mb"])
        text += f"; the largest piece of PyTorch's is `{biggest['step'].lstrip('+ ')}` ({biggest['added_mb']:+.0f} MB)"
    return text + ": the framework, not the network, decides the memory."


def targets_sentence(bench: dict) -> str:
    """Every target of the benchmark with its value (and spread or interval) and its verdict, one clause each."""
    parts = []
    for t in bench["summary"].get("targets", []):
        value = f"{t['value']:.3g}"
        if t.get("low") is not None and t.get("high") is not None and t["high"] > t["low"]:
            value += f" [{t['low']:.3g}, {t['high']:.3g}]"
        parts.append(f"{t['label']}: {value}, **{t.get('verdict', 'met' if t['met'] else 'not met')}**")
    if not parts:
        return "**Targets.** None measured in the current benchmark."
    mode = "make bench" if bench.get("mode") == "full" else "the light benchmark of make report"
    return (f"**Targets** ({mode}, one run, one thread; judged on the unfavourable end of each spread or "
            f"interval): " + "; ".join(parts) + ".")


def headline_markdown(split: str = "stratified", results_dir=None, processed_dir=None, batch_size: int = 512) -> str:
    """The README's results section: the answer in a few generated sentences, two figures, and where the rest is."""
    s = load_study(results_dir, split)
    source = s["source"]
    lines = [f"From `make publish` on `{source['source_name']}` (sha256 `{str(source['sha256'])[:12]}...`), split "
             f"`{s['split']}`: {s['test_rows']:,} test rows, {len(s['seeds'])} training runs per model"
             + (", each seed with its own validation rows" if s.get("redraw_validation") else "")
             + ", every choice made on validation rows; margins declared first: "
             + ", ".join(f"±{v:g} {k.replace('_', '-').upper()}" for k, v in s["margins"].items()) + ".", "",
             f"- {_framework_sentence(s)}", f"- {references_sentence(s)}"]
    contestants = contestants_sentence(s)
    if contestants:
        lines.append(f"- {contestants}")
    schemes = cached_json(_schemes_path(results_dir),
                          check=lambda d: None if isinstance(d.get("sentences"), list) else "it has no sentences")
    if schemes is not None:
        lines.append("- **Validation schemes** (notebook 05), each finding judged in every scheme:")
        lines += [f"  - {sentence}" for sentence in schemes["sentences"]]
    bench = current_record(processed_dir, split, results_dir)
    if bench is not None:
        lines += [f"- {speed_sentence(bench, batch_size)}", f"- {memory_sentence(bench)}",
                  f"- {contestant_item(bench, batch_size)}", f"- {targets_sentence(bench)}"]
    lines += ["", "![paired differences](figures/04_paired_differences.png)",
              "![epoch time against batch size](figures/06_epoch_vs_batch.png)", "",
              "Everything else -- the tables, every verdict, the four validation schemes, where time and memory go -- "
              "is in the [notebooks](notebooks/) and in `reports/report.pdf` (`make report && make pdf`)."]
    return "\n".join(lines)
