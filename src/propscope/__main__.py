import sys

from propscope.cli.app import main

sys.exit(main())
