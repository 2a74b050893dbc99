"""helpers.tables: data frames as Markdown pipe tables (multi-index rows joined, thousands separated, pipes
escaped, a caption line)."""

def test_markdown_tables_read_like_tables():
    import pandas as pd

    from helpers.tables import markdown

    frame = pd.DataFrame({"rows": [2099, 301], "rate": [0.2, 0.25], "name": ["a|b", None]},
                         index=pd.MultiIndex.from_tuples([("NumPy MLP", "none"), ("PyTorch MLP", "balanced")]))
    text = markdown(frame, caption="A caption", digits=2)
    lines = text.splitlines()
    assert lines[0].count("|") == lines[2].count("|") == 5  # header, rule, rows: one pipe table
    assert "NumPy MLP / none" in text and "2,099" in text and "0.25" in text and "a/b" in text
    assert lines[-1] == "Table: A caption"


def test_whole_numbers_with_gaps_show_without_decimals():
    import numpy as np
    import pandas as pd

    from helpers.tables import markdown

    frame = pd.DataFrame({"calls": [152.0, np.nan, 3.0], "ms": [1.5, np.nan, 2.0]}, index=["a", "b", "c"])
    text = markdown(frame, digits=3)
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]] for line in text.splitlines()[2:]}
    assert rows == {"a": ["152", "1.500"], "b": ["-", "-"], "c": ["3", "2.000"]}
