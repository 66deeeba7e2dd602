"""Portal settings for tests: a throwaway CONCERNS_HOME; DATABASE_URL (when set) selects PostgreSQL.

`CONCERNS_TEST_DATABASE` names the test database (pytest-xdist adds `_gw0`, `_gw1` …), so two test runs on
one PostgreSQL server do not drop each other's databases. Django's default (`test_<name>`) otherwise.
"""

import os
import tempfile

os.environ.setdefault("CONCERNS_HOME", tempfile.mkdtemp(prefix="concerns-test-home-"))

from concerns.web.settings import *  # noqa: F403

# Argon2 at full cost makes hundreds of test sign-ins slow; production keeps the default parameters.
PASSWORD_HASHERS = ["concerns.web.portal.hashers.FastArgon2PasswordHasher"]

if test_database := os.environ.get("CONCERNS_TEST_DATABASE"):
    DATABASES["default"]["TEST"] = {"NAME": test_database}  # noqa: F405

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise serves from the finders in tests)

# A batch started in a test runs at once, through the same queue call (`generate_batch.enqueue`); the tests
# of the queue itself (tests/web/test_queue.py) switch back to the database backend and run its worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
