"""Reusable code behind the no-show report notebooks, in packages that follow the data.

A package is one stage of the pipeline; it imports only the stages before it and the flat
foundation modules (``make test`` checks this with an import-linter layers contract, see
``pyproject.toml``). No module has import-time side effects.

Foundation (flat)
- ``paths``        where things live (repository root, data, figures, reports)
- ``artifacts``    atomic writes of JSON / ``.npz`` and file checksums
- ``fingerprint``  the one source fingerprint of every cache key (refuses a module it cannot find)
- ``metrics``      evaluation, threshold choice, bootstrap, McNemar, Wilson intervals, operating points
- ``tables``       tables as Markdown pipe tables (real tables in HTML and PDF)
- ``style``        one colour per model, the plot style, and ``save_fig``, the one way a figure is saved

Stages, in pipeline order
1. ``data``     the raw file (``raw``), ``synthetic`` data, ``features``, ``splits``, ``folds``, the
   ``pipeline`` to the ``prepared`` arrays, each seed's ``redraw`` of the train / validation rows,
   notebook 01's tables (``eda``) and ``figures``
2. ``models``   the ``losses``, the NumPy ``layers`` and ``numpy_mlp``, the ``torch_mlp`` twin, and
   ``base``: the scikit-learn-style training loop both share (with a clock callback per step);
   ``sklearn_mlp``: scikit-learn's ``MLPClassifier`` set up like the twins, the third contestant
3. ``study``    ``tuning`` by cross-validation, fits in worker processes (``parallel``), the repeated
   cached ``runs``, and what the model notebooks share (``experiment``)
4. ``compare``  ``evidence`` over seeds, ``verdicts`` (the four-way rule and its sentences), ``calibration``
   (intercept, slope, smoothed curve), the ``imbalance`` study, ``schemes``, ``week1`` (the quoted
   week-1 figures), ``decision`` curves and ``subgroups`` (notebook 07), ``explorer``, ``figures`` and
   ``study_figures``
5. ``cost``     ``profiling`` and ``measure`` (fresh processes), the ``record`` (numbers and targets),
   ``figures`` and ``sentences`` of notebook 06; ``python -m helpers.cost`` is ``make bench``;
   and ``cuda`` (``python -m helpers.cost.cuda``) checks the PyTorch twin on a GPU
6. ``publish``  the ``runner`` (``python -m helpers.publish``), ``export`` to HTML and PDF, the README's
   ``summary``, and the model ``card`` with the TRIPOD+AI checklist
"""

__version__ = "0.1.0"
