"""The command line inside a Spark driver: `spark-submit --master URL spark_submit.py portfolio
--engine spark --db DIR [--json]`.

spark-submit runs a Python file as its driver; this one runs `backlog-health` with the
arguments after it, so `--engine spark` uses the session spark-submit configured (its master,
executors and memory) instead of starting a local one. Print its path with
`python -c "import backlog_health.spark_submit as m; print(m.__file__)"`.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    # Python put this file's folder first on the path: its modules must not shadow others.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    from backlog_health.cli import main

    main()
