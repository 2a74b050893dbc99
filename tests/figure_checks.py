"""Checks every drawn figure passes: a Figure with axes, ASCII text only (any LaTeX font has the glyphs), drawable."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.text import Text


def assert_ascii_figure(fig: Figure) -> None:
    """Every text in the figure uses glyphs any LaTeX font has."""
    texts = [t.get_text() for t in fig.findobj(Text)]
    assert texts, "figure has no text at all"
    bad = [t for t in texts if not t.isascii()]
    assert not bad, bad


def check_figure(fig) -> Figure:
    assert isinstance(fig, Figure)
    assert fig.axes
    assert_ascii_figure(fig)
    fig.canvas.draw()  # layout and rendering succeed
    return fig
