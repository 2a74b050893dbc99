"""Stage 2, the models: the loss, the NumPy layers and network, the PyTorch twin, the training loop both share,
and scikit-learn's MLPClassifier set up like them (the third contestant)."""
