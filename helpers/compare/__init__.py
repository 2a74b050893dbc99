"""Stage 4, the comparison: evidence over seeds, the verdict rule, validation schemes, and the sentences and figures of notebooks 04 and 05."""
