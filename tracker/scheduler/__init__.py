"""The scheduler process and its jobs: see runner.py and jobs.py."""
