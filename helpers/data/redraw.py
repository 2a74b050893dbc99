"""Every seed's own train / validation partition, so that the intervals carry the validation sample's noise.

The validation rows decide each run's early stopping and its threshold. If every seed reused the
same validation rows, the spread over seeds would leave out how much those choices depend on
*which* rows validate (Bouthillier et al., MLSys 2021, found the data split the largest source of
variance in such comparisons). So seed ``s`` redraws which non-test rows train and which validate,
with the scheme's own rule (:func:`helpers.data.splits.partition_rest`: stratified on the label, or
whole patients for the grouped scheme), and refits everything fitted on training rows -- the
neighbourhood encoder and the scaler (:func:`helpers.data.pipeline.encode_and_scale`) -- on that
seed's training rows. The test rows never change. Both networks (and the reference models) of seed
``s`` share its partition, so the pairing holds.

- The seed that made the split (notebook 01's, default 42) gets notebook 01's partition itself.
- The temporal scheme keeps the latest training days for validation in every seed: its rule is
  time, which leaves nothing to redraw (its intervals hold no validation-sample noise).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.data.pipeline import encode_and_scale
from helpers.data.prepared import PARTS, PreparedData
from helpers.data.splits import partition_rest

__all__ = ["REDRAWN_KINDS", "partition_seed", "redraw"]

#: The split kinds whose train / validation partition is redrawn per seed (the temporal one is fixed by time).
REDRAWN_KINDS = ("stratified", "grouped", "original")


def partition_seed(meta: dict, seed: int, redraw_validation: bool = True) -> int:
    """The seed of the partition that run seed ``seed`` trains on.

    ``seed`` itself when the partition is redrawn (``redraw_validation`` and a kind of
    :data:`REDRAWN_KINDS`), else the split's own seed (notebook 01's partition).

    Parameters
    ----------
    meta : dict
        The prepared data's metadata (``meta["split"]`` holds ``kind`` and ``seed``).
    seed : int
    redraw_validation : bool
    """
    split = meta["split"]
    if redraw_validation and split["kind"] in REDRAWN_KINDS:
        return int(seed)
    return int(split["seed"])


def redraw(data: PreparedData, seed: int, force: bool = False) -> PreparedData:
    """``data`` with the train / validation partition of ``seed`` (the test rows unchanged).

    Parameters
    ----------
    data : PreparedData
        Loaded with ``sources=True`` (:func:`helpers.data.prepared.load_prepared`): the unscaled
        features and neighbourhood codes are what the partition is rebuilt from.
    seed : int
        Seeds the partition and the encoder's cross-fitting folds.
    force : bool
        Rebuild even for the split's own seed (which otherwise returns ``data`` itself); the tests
        use it to show that the rebuild reproduces notebook 01's arrays exactly.

    Returns
    -------
    PreparedData
        With ``meta["partition"] = {"seed", "redrawn", "rows"}``.

    Raises
    ------
    ValueError
        If the split is temporal (nothing to redraw) or ``data`` lacks the source arrays.
    """
    split = data.meta["split"]
    kind = split["kind"]
    if kind not in REDRAWN_KINDS:
        raise ValueError(f"the {kind} scheme has no random train/validation partition to redraw "
                         "(it validates on the latest training days)")
    if int(seed) == int(split["seed"]) and not force:
        return data
    if not data.features or not data.hoods:
        raise ValueError("redrawing a partition needs the unscaled features: load the data with "
                         "load_prepared(..., sources=True)")
    pool = {name: np.concatenate([getattr(data, name)["train"], getattr(data, name)["val"]])
            for name in ("y", "rows", "groups", "days", "features", "hoods")}
    order = np.argsort(pool["rows"], kind="stable")  # the cleaned rows' order, as notebook 01 split them
    pool = {name: values[order] for name, values in pool.items()}
    train, val = partition_rest(kind, pool["y"], seed, groups=pool["groups"])
    n_pool, n_test = len(order), len(data.y["test"])
    parts = {"train": train, "val": val, "test": n_pool + np.arange(n_test)}
    every = {name: np.concatenate([pool[name], getattr(data, name)["test"]]) for name in pool}
    y = every["y"].astype(np.int64)
    _, scaled, _, _ = encode_and_scale(every["features"], pd.Series(every["hoods"]), y, parts, seed)
    meta = {**data.meta, "partition": {"seed": int(seed), "redrawn": True,
                                       "rows": {p: int(len(parts[p])) for p in PARTS}}}
    return PreparedData(
        X={p: scaled[parts[p]] for p in PARTS},
        y={p: every["y"][parts[p]].astype(np.int8) for p in PARTS},
        rows={p: every["rows"][parts[p]] for p in PARTS},
        meta=meta,
        groups={p: every["groups"][parts[p]] for p in PARTS},
        days={p: every["days"][parts[p]] for p in PARTS},
        features={p: every["features"][parts[p]] for p in PARTS},
        hoods={p: every["hoods"][parts[p]] for p in PARTS},
    )
