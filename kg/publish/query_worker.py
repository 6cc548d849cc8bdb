"""Entry point of a SPARQL worker process: ``python -m kg.publish.query_worker STORE MAX_ROWS MAX_BYTES MEMORY_MB``."""

import sys

from kg.publish.sparql import worker_main

if __name__ == "__main__":
    worker_main(sys.argv[1], *(int(a) for a in sys.argv[2:5]))
