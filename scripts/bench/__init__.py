"""Measuring the project's own tooling: ``make check``'s phases the old and the new way and check-plan
(``timing``), behind ``python -m scripts bench``."""
