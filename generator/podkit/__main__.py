import sys

from podkit.cli import main

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(prog_name="podkit"))
