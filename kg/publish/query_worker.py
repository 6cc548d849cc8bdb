"""Entry point of a SPARQL worker process: ``python -m kg.publish.query_worker STORE MAX_ROWS``."""

import sys

from kg.publish.sparql import worker_main

if __name__ == "__main__":
    worker_main(sys.argv[1], int(sys.argv[2]))
