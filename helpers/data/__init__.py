"""Stage 1, the data: the raw file, cleaning, synthetic data, features, splits, folds, the prepared arrays and notebook 01's tables and figures."""
