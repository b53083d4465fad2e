"""gunicorn's production settings: the Dockerfile and docker-compose start gunicorn in the project folder, which
loads this file; benchmarks/run.py starts it the same way.

Sync workers (PERFORMANCE.md: they beat threads for database-heavy views on 2 cores), two per core: a request that
waits on PostgreSQL (placing an order: about a third of its time) leaves its core idle with one worker per core.
Measured on this 2-core machine, same run, same ceiling: checkout placement 134 -> 162 orders/s from 2 to 4 workers,
the constant view unchanged (benchmarks/README.md, "Checkout placement"). WEB_CONCURRENCY overrides it.
"""

import os

# the CPUs this process may run on (a container's cpuset), not the host's; a CPU quota (docker --cpus) is not seen
# here, so docker-compose sets WEB_CONCURRENCY
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * len(os.sched_getaffinity(0)))
