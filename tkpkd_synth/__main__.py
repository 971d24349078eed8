import sys

from tkpkd_synth.cli import main

sys.exit(main())
