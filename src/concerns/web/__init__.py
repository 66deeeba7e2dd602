"""The secure portal (Django): reports to the organisations that raised the concerns, and the casework register.

`concerns serve` runs it; `setup()` configures Django for the CLI commands that use the ORM.
"""

from __future__ import annotations

import os


def setup(production: bool | None = None) -> None:
    """Configure Django once, from the environment (see `concerns.web.settings`)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerns.web.settings")
    if production is not None:
        os.environ["CONCERNS_ENV"] = "production" if production else "development"
    django.setup()
