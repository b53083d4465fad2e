"""Load benchmarks: gunicorn started as in production, driven by wrk on loopback (see README.md)."""
