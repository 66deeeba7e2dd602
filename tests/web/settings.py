"""Portal settings for tests: a throwaway CONCERNS_HOME; DATABASE_URL (when set) selects PostgreSQL."""

import os
import tempfile

os.environ.setdefault("CONCERNS_HOME", tempfile.mkdtemp(prefix="concerns-test-home-"))

from concerns.web.settings import *  # noqa: F403

# Argon2 at full cost makes hundreds of test sign-ins slow; production keeps the default parameters.
PASSWORD_HASHERS = ["concerns.web.portal.hashers.FastArgon2PasswordHasher"]

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise serves from the finders in tests)
