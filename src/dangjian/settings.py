"""Settings for 规矩 (dangjian). Everything comes from the environment with safe defaults."""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("DANGJIAN_DATA_DIR", Path.cwd() / "var"))
# The test suite's parallel workers (pytest-xdist) each keep their own data directory and Redis
# database: one worker clearing its caches or counting its files must not touch another's.
TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1, … under pytest-xdist
if TEST_WORKER:
    DATA_DIR = DATA_DIR / TEST_WORKER


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DANGJIAN_DEBUG", False)
# A key generated per data directory when none is given: never one from the repository.
SECRET_KEY = os.environ.get("DANGJIAN_SECRET_KEY", "")
if not SECRET_KEY:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = os.environ.get("DANGJIAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DANGJIAN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# The address users reach the system at: documents (.docx) link each figure to its page there
# (core.figures.absolute_figure_url), since a file opened outside the browser has no site to be relative to.
DANGJIAN_SITE_URL = os.environ.get("DANGJIAN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "treebeard",
    "ninja",  # its Swagger UI files are served from here, not from a CDN
    "huey.contrib.djhuey",
    "django_otp",
    "django_otp.plugins.otp_static",  # recovery codes; the TOTP device is accounts.TotpDevice
    "dangjian.core",
    "dangjian.accounts",
    "dangjian.orgs",
    "dangjian.duties",
    "dangjian.matters",
    "dangjian.meetings",
    "dangjian.supervision",
    "dangjian.assessment",
    "dangjian.filings",
    "dangjian.reports",
    "dangjian.hardening",
]
# No back-off of otp_static's own: the log-in lock-out (accounts.services) counts every failed code.
OTP_STATIC_THROTTLE_FACTOR = 0

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dangjian.core.middleware.RequestContextMiddleware",
    "dangjian.core.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # after MessageMiddleware: it tells the user why they were signed out
    "dangjian.accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dangjian.core.middleware.SecurityHeadersMiddleware",
    "dangjian.core.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dangjian.core.context_processors.navigation",
            ],
        },
    }
]

# SQLite is the embedded default; PostgreSQL through DATABASE_URL for the scaled deployment.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    # Web requests are short: on a small server, starting parallel workers for a query costs more
    # than it saves and takes cores from the other requests (see bench/). Batch jobs may raise it.
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    # JIT compilation costs about a second on a report over a million rows and gains nothing on
    # indexed reads (measured in bench/meetings.py: 2.9 s → 0.8 s for the study-hours report).
    # A request that waits this long for a row lock gives up with a clear message (core.middleware
    # DatabaseBusyMiddleware) instead of holding a worker until the client goes away.
    _pg_options["options"] = (_pg_options.get("options", "") + " -c jit=off -c max_parallel_workers_per_gather="
                              + str(int(os.environ.get("DANGJIAN_PG_PARALLEL_WORKERS", "0")))
                              + " -c lock_timeout=" + os.environ.get("DANGJIAN_PG_LOCK_TIMEOUT", "10s")).strip()
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("DANGJIAN_SQLITE_PATH", str(DATA_DIR / "dangjian.sqlite3")),
            # A worker keeps its connection between requests: a new one per request ran the PRAGMAs
            # again and started with an empty page cache, which cost the roster page more than its queries.
            "CONN_MAX_AGE": 600,
            # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on the busy
            # timeout instead of failing mid-transaction with "database is locked".
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
            "TEST": {"NAME": os.environ.get("DANGJIAN_TEST_SQLITE_PATH", str(DATA_DIR / "test.sqlite3"))},
        }
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# The covering indexes of matters and meetings (Index(include=…)) are a PostgreSQL optimisation; SQLite
# builds them on their key columns, as intended, and needs no warning about it at every migrate.
SILENCED_SYSTEM_CHECKS = [] if IS_POSTGRES else ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["dangjian.accounts.backends.UsernameOrPhoneBackend"]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Length, character classes and expiry are rules (hardening/rule_settings.py) edited on the settings page.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "dangjian.accounts.passwords.PolicyValidator"},
    {"NAME": "dangjian.accounts.passwords.CommonListValidator"},
    {"NAME": "dangjian.accounts.passwords.PatternValidator"},
    {"NAME": "dangjian.accounts.passwords.HistoryValidator"},
    {"NAME": "dangjian.accounts.passwords.RevokeTokensOnChange"},  # a hook on every password save, not a check
]

LANGUAGE_CODE = "zh-hans"
PASSWORD_RESET_TIMEOUT = 24 * 3600  # the one-time link of an administrator's password reset (accounts)
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DANGJIAN_STATIC_ROOT", DATA_DIR / "static"))
# Uploaded files: one storage that every app server reaches (docs/deploy.md). A directory —
# DANGJIAN_MEDIA_ROOT, on several servers one shared mount (NFS/CIFS) — or, with DANGJIAN_S3_BUCKET,
# object storage over the S3 protocol (MinIO). Both delete the files of a transaction that rolled back.
MEDIA_ROOT = Path(os.environ.get("DANGJIAN_MEDIA_ROOT", DATA_DIR / "media"))
FILE_UPLOAD_PERMISSIONS = 0o640  # never executable, not readable by other users
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
S3_BUCKET = os.environ.get("DANGJIAN_S3_BUCKET", "")
if S3_BUCKET:
    _uploads = {"BACKEND": "dangjian.core.object_storage.TransactionalS3Storage", "OPTIONS": {
        "bucket_name": S3_BUCKET,
        "endpoint_url": os.environ.get("DANGJIAN_S3_ENDPOINT_URL") or None,  # e.g. https://minio.internal:9000
        "region_name": os.environ.get("DANGJIAN_S3_REGION") or None,
        "access_key": os.environ.get("DANGJIAN_S3_ACCESS_KEY") or None,
        "secret_key": os.environ.get("DANGJIAN_S3_SECRET_KEY") or None,
        "location": os.environ.get("DANGJIAN_S3_PREFIX", ""),
        "addressing_style": "path",  # MinIO and most intranet S3 services have no per-bucket host names
        "default_acl": None,  # private: files leave only through the views that check scope
        "querystring_auth": True,
        "file_overwrite": False,
    }}
else:
    _uploads = {"BACKEND": "dangjian.core.uploads.TransactionalFileSystemStorage"}
STORAGES = {
    "default": _uploads,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Sessions: the idle timeout and absolute lifetime are rules applied by accounts.middleware;
# the cookie age is only the upper bound before the first request sets the rule's value. The middleware
# renews the idle timeout at most once a minute, so that reading pages does not write a session row each.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "dangjian.core.views.csrf_failure"
HTTPS = env_bool("DANGJIAN_HTTPS", False)
# The audit chain's checkpoints (core/audit_chain.py): a file kept apart from the database; beside the keyring
# when not set.
AUDIT_CHECKPOINT_FILE = os.environ.get("DANGJIAN_AUDIT_CHECKPOINTS", "")
# Addresses (or networks, CIDR) of the reverse proxies whose X-Real-IP / X-Forwarded-For name the client.
# None by default: a client that reaches gunicorn directly could otherwise write any address into the
# audit log and dodge the per-address lock-out and rate limits.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("DANGJIAN_TRUSTED_PROXIES", "").split(",") if p.strip()]
if HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probed by load balancers over the internal HTTP (docs/deploy.md)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


# An org picker with more choices than this is a search box (core.forms_base.OrgSearchInput).
DANGJIAN_ORG_PICKER_LIMIT = int(os.environ.get("DANGJIAN_ORG_PICKER_LIMIT", "300"))
# Figure values (core/figures.py: evaluate_many, and the dashboards' values) are kept this long in the default
# cache, shown with the time they were read (and keyed by the day: a figure of "now" changes overnight). Every
# change that can alter one drops it at once: a saved, deleted or bulk-changed record of a module that owns
# figures (the values of the nodes above it), a rule, a holiday schedule, a restore (every value). So they may be
# kept a day, which the nightly reading (reports.tasks.warm_dashboards_daily) fills. 0 turns the cache off.
FIGURES_CACHE_SECONDS = int(os.environ.get("DANGJIAN_FIGURES_CACHE_SECONDS", str(24 * 3600)))

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL and TEST_WORKER:
    _redis = urlsplit(REDIS_URL)
    REDIS_URL = _redis._replace(path=f"/{(int(_redis.path.strip('/') or 0) - int(TEST_WORKER[2:])) % 16}").geturl()
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "dangjian.core.redis_cache.RedisCache", "LOCATION": REDIS_URL}}
    CACHES["ratelimit"] = CACHES["default"]
else:
    CACHES = {
        # room for a province's figure values (core/figures.py keeps one entry per node, part and period)
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 20_000}},
        # Rate-limit counters must be shared by every worker process of the server, not kept per process.
        "ratelimit": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                      "LOCATION": str(DATA_DIR / "cache" / "ratelimit")},
    }
# What every worker and every app server must see at once (the rule settings' stamp): Redis, or files of
# their own (not beside the rate-limit counters, whose culling could drop the stamp).
CACHES["shared"] = CACHES["default"] if REDIS_URL else {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(DATA_DIR / "cache" / "shared")}

# The generations of the figure values (core/figures.py): every worker must see a change at once, so they live in
# Redis or in files of their own (one per org node written to: MAX_ENTRIES above any tree's node count, and a
# culled generation only makes its values read afresh).
CACHES["figures"] = CACHES["default"] if REDIS_URL else {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(DATA_DIR / "cache" / "figures"),
    "OPTIONS": {"MAX_ENTRIES": 200_000}}
# Figure values of nodes above this depth (a province 1, its cities 2, their counties 3) are the sum of their
# children's values and of the node's own records, each kept under the generation of its own subtree: after a
# change, only the subtrees above the changed record are read again (core/figures.py: Composition).
FIGURES_COMPOSE_DEPTH = int(os.environ.get("DANGJIAN_FIGURES_COMPOSE_DEPTH", "4"))

# Task queue (huey): periodic and slow jobs. Embedded SQLite storage by default, Redis when
# REDIS_URL is set. Under pytest the tasks run in-process (immediate mode) so tests run them for real.
TASKS_IMMEDIATE = env_bool("DANGJIAN_TASKS_IMMEDIATE", "pytest" in sys.modules)
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "dangjian", "url": REDIS_URL, "immediate": TASKS_IMMEDIATE}
else:
    HUEY = {"huey_class": "huey.SqliteHuey", "name": "dangjian", "immediate": TASKS_IMMEDIATE,
            "filename": str(DATA_DIR / "tasks.sqlite3")}
HUEY["consumer"] = {"workers": 2, "worker_type": "thread"}

EMAIL_BACKEND = os.environ.get("DANGJIAN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DANGJIAN_FROM_EMAIL", "dangjian@localhost")
EMAIL_HOST = os.environ.get("DANGJIAN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DANGJIAN_EMAIL_PORT", "25"))
EMAIL_TIMEOUT = 30

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DANGJIAN_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
PAGE_SIZE = 50
