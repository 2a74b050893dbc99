"""Reusable code behind the no-show report notebooks.

Each module has one job and no import-time side effects:

Data
- ``paths``        where things live (repository root, data, figures, reports)
- ``artifacts``    atomic writes of JSON / ``.npz`` and file checksums
- ``synthetic``    the embedded synthetic data set (same schema as the Kaggle file)
- ``data``         locating, validating and cleaning the raw file (with a ledger)
- ``eda``          small tables for the data notebook: display bins, rates per group
- ``features``     features known before the appointment day
- ``splits``       train / validation / test splits (the validation schemes)
- ``dataset``      the pipeline from the raw file to the prepared arrays
- ``prepared``     the prepared arrays on disk, as every model notebook reads them

Models
- ``losses``       the weighted binary cross-entropy on logits and the sigmoid (both networks)
- ``numpy_layers`` / ``numpy_mlp``  the network written from scratch in NumPy
- ``torch_mlp``    the same network in PyTorch
- ``mlp_base``     the scikit-learn-style training loop both networks share
- ``folds``        the one definition of the cross-validation folds every tuning uses
- ``tuning``       the cross-validated choice of hyper-parameters
- ``experiment``   what the model notebooks share: checked data, the settings every model uses, one run
- ``parallel``     independent fits in worker processes (one thread each) and the cache fingerprints
- ``study``        repeated runs: every model once per seed on one split, cached

Evaluation and reporting
- ``metrics``      evaluation, threshold choice, bootstrap, McNemar, Wilson intervals, operating points
- ``evidence``     spreads over seeds and paired differences (seeds and test patients resampled)
- ``comparison``   the week-1 report's quoted figures and the imbalance study
- ``schemes``      the whole study under every validation scheme (notebook 05)
- ``summary``      the saved summaries the README's results section is generated from
- ``conclusions``  the sentences that state findings, worded by code from the numbers
- ``bench``        the speed and memory benchmark (a fresh process per measurement)
- ``profiling``    where time and memory go (notebook 06)
- ``cost_figures`` the figures and tables of the cost study (notebook 06)
- ``plots``        figures, one colour per model, and the one ``save_fig`` helper
- ``study_plots``  figures of the repeated runs and the validation schemes
- ``explorer``     the interactive threshold explorer (ipywidgets) and its static view for exports
- ``tables``       tables as Markdown pipe tables (real tables in HTML and PDF)
- ``export``       HTML / PDF export of executed notebooks, and the combined report PDF
- ``report``       the runner: executes the notebooks in order, exports and publishes them
"""

__version__ = "0.1.0"
