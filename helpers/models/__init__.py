"""Stage 2, the models: the loss, the NumPy layers and network, the PyTorch twin, and the training loop both share."""
