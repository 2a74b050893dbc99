"""Reusable code behind the no-show report notebooks.

Each module has one job and no import-time side effects:

- ``paths``      where things live (repository root, data, figures, reports)
- ``artifacts``  atomic writes of JSON / ``.npz`` and file checksums
- ``synthetic``  the embedded synthetic data set (same schema as the Kaggle file)
- ``data``       locating, validating and cleaning the raw file (with a ledger)
- ``features``   features known before the appointment day
- ``splits``     train / validation / test splits
- ``dataset``    the prepared arrays that every model notebook reads
- ``numpy_layers`` / ``numpy_mlp``  the network written from scratch in NumPy
- ``torch_mlp``  the same network in PyTorch
- ``mlp_base``   the training loop both networks share
- ``metrics``    evaluation, threshold choice, bootstrap, McNemar
- ``plots``      figures and the one ``save_fig`` helper
"""

__version__ = "0.1.0"
