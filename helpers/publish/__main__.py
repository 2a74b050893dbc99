"""``python -m helpers.publish``: run, publish and export the report (see :mod:`helpers.publish.runner`)."""

import sys

from helpers.publish.runner import main

if __name__ == "__main__":
    sys.exit(main())
