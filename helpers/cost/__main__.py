"""``python -m helpers.cost`` (``make bench``): measure, summarise, write the record, draw its figures.

Usage::

    python -m helpers.cost [--mode full|light] [--split stratified] [--threads 1,2] [--repeats 3]

What is measured, and how, is :mod:`helpers.cost.measure`'s docstring; the record and its targets are
:mod:`helpers.cost.record`. ``--mode full`` writes ``data/results/bench.json``; ``--mode light`` (run by
notebook 06 through :func:`helpers.cost.measure.for_report`) writes ``bench_light.json``.
"""

from __future__ import annotations

import argparse
import sys

from helpers import paths
from helpers.cost.measure import _reuse_compile, run_benchmark
from helpers.cost.record import (
    MODES,
    _read,
    bench_path,
    data_key,
    light_path,
    summarise,
)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m helpers.cost", description=__doc__.split("\n\n")[0])
    parser.add_argument("--processed-dir", default=None, help="prepared data folder (default: data/processed)")
    parser.add_argument("--results-dir", default=None, help="where bench.json goes (default: data/results)")
    parser.add_argument("--split", default="stratified", help="prepared split to train on (default: stratified)")
    parser.add_argument("--mode", default="full", choices=sorted(MODES),
                        help="full: every measurement, written to bench.json; light: the report's lighter set, "
                             "written to bench_light.json (default: full)")
    parser.add_argument("--threads", default=None, help="thread counts, comma-separated (default: the mode's, full 1,2)")
    parser.add_argument("--repeats", type=int, default=None, help="fresh processes per training run (default: full 3)")
    parser.add_argument("--quick", action="store_true", help="the same as --mode light (default: off)")
    parser.add_argument("--figures-dir", default="reports/bench", help="where figures go (default: reports/bench)")
    parser.add_argument("--no-figures", action="store_true", help="write no figures (default: off)")
    args = parser.parse_args(argv)
    mode = "light" if args.quick else args.mode
    try:
        data_key(args.processed_dir, args.split)
    except FileNotFoundError as err:
        raise SystemExit(str(err)) from None
    # The driver imports nothing heavy before the measurements: on Linux a child's ru_maxrss
    # starts from the parent's resident size at fork, so a driver holding matplotlib and pandas
    # would inflate every getrusage peak it measures (seen: 188 MB instead of 144 MB).
    threads = tuple(int(t) for t in args.threads.split(",")) if args.threads else None
    bench = run_benchmark(args.processed_dir, args.split, threads, args.repeats, mode=mode)
    if mode == "light":
        _reuse_compile(bench, args.results_dir)
        bench["summary"] = summarise(bench)
    # the Markdown summary needs pandas (tables): imported only now, after every measurement
    from helpers.cost.sentences import summary_markdown

    bench["summary_markdown"] = summary_markdown(bench)
    from helpers.artifacts import write_json

    target = bench_path(args.results_dir) if mode == "full" else light_path(args.results_dir)
    write_json(target, bench)
    bench = _read(target)  # as notebook 06 will read it (JSON keys are strings)
    if not args.no_figures:
        from helpers.cost.figures import all_figures
        from helpers.style import save_fig

        for name, fig in all_figures(bench).items():
            save_fig(fig, f"bench_{name}", args.figures_dir)
    print(bench["summary_markdown"])
    print(f"[bench] {mode} benchmark: {bench['wall_seconds']:.0f} s, written to {paths.display_path(target)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
