"""helpers.models.losses: the weighted BCE-with-logits gradient against finite differences, stability for
large logits, and the loss and sigmoid re-exported by the layers and the base."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.models.layers import (
    bce_with_logits,
    bce_with_logits_loss,
)
from tests.models.gradcheck import numerical_gradient, rel_error


def test_loss_and_sigmoid_live_in_losses_and_are_reexported():
    from helpers.models import base as mlp_base
    from helpers.models import layers as numpy_layers
    from helpers.models import losses

    for name in ("bce_with_logits", "bce_with_logits_loss", "sigmoid"):
        assert getattr(numpy_layers, name) is getattr(losses, name)
    assert mlp_base.sigmoid is losses.sigmoid and mlp_base.bce_with_logits_loss is losses.bce_with_logits_loss
    z = np.array([-800.0, -1.0, 0.0, 1.0, 800.0])
    np.testing.assert_allclose(losses.sigmoid(z), [0.0, 1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-1)), 1.0])


@pytest.mark.parametrize("pos_weight", [1.0, 3.7])
def test_loss_gradient_matches_finite_differences(pos_weight):
    rng = np.random.default_rng(2)
    logits = rng.normal(0.0, 3.0, size=11)
    y = (rng.random(11) < 0.5).astype(np.float64)
    loss, dlogits = bce_with_logits(logits, y, pos_weight)
    numeric = numerical_gradient(lambda: bce_with_logits_loss(logits, y, pos_weight), logits)
    assert rel_error(dlogits, numeric) < 1e-6
    assert bce_with_logits_loss(logits, y, pos_weight) == loss


def test_loss_is_stable_for_large_logits():
    logits = np.array([-50.0, 50.0, -50.0, 50.0, 800.0, -800.0])
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    loss, dlogits = bce_with_logits(logits, y, pos_weight=2.0)
    # rows 3 and 4 are wrong by a margin of 50: -2 * log(sigmoid(-50)) + 50 = 150 (to 1e-20)
    assert np.isfinite(loss) and np.all(np.isfinite(dlogits))
    assert loss == pytest.approx((100.0 + 50.0) / 6, rel=1e-12)
    np.testing.assert_allclose(dlogits, [0, 0, -2 / 6, 1 / 6, 0, 0], atol=1e-20)
