"""``python -m helpers.publish``: run, publish and export the report (see :mod:`helpers.publish.runner`)."""

from helpers.publish.runner import exit_as, main

if __name__ == "__main__":
    exit_as(main())
