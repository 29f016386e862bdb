"""``python -m sklreg``: the demo and the CSV command line (see sklreg._cli)."""
import sys

from sklreg._cli import main

if __name__ == "__main__":
    sys.exit(main())
