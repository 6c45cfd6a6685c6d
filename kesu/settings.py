"""Django settings for kesu, driven by environment variables.

KESU_DATA_DIR       where the embedded database, uploads and generated reports live (default ./var)
KESU_DATABASE_URL   e.g. postgres://user@host:5432/kesu; default SQLite at KESU_DATA_DIR/kesu.sqlite3
KESU_SECRET_KEY     required when KESU_DEBUG is off
KESU_DEBUG          1/true for development
KESU_ALLOWED_HOSTS  comma-separated host names
KESU_API_BASIC_AUTH 1 to accept HTTP Basic (user name and password) on the REST API, for DHIS2 clients
KESU_HTTPS          1 in production behind HTTPS: secure cookies, HSTS, redirect to HTTPS (see docs/security.md)
"""

import os
from pathlib import Path

import dj_database_url


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("KESU_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite database, uploads and reports live here
DEBUG = _env_bool("KESU_DEBUG", default=False)

SECRET_KEY = os.environ.get("KESU_SECRET_KEY") or ""
if not SECRET_KEY:
    # A development key; production deployments set KESU_SECRET_KEY (`check --deploy` flags this one).
    SECRET_KEY = "django-insecure-kesu-development-key"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("KESU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves Swagger UI for /api/docs from its own static files instead of a CDN the CSP blocks
    "django_tasks",
    "kesu.core.apps.TasksDatabaseConfig",  # django_tasks_db, named in Chinese
    "kesu.core",
    "kesu.accounts",
    "kesu.regions",
    "kesu.orgs",
    "kesu.plans",
    "kesu.collection",
    "kesu.analytics",
    "kesu.reports",
    "kesu.extraction",
    "kesu.surveys",
    "kesu.assessment",
    "kesu.bench",
    "kesu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kesu.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kesu.core.middleware.ChooseFirstMiddleware",
    "kesu.core.replicas.ReplicaReadMiddleware",
    "kesu.core.errors.RequestErrorMiddleware",  # a refusal that escaped a view → 400; ids past 64 bits → 404
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
]

# What each request cost in the worker (CPU ms, wall ms, SQL statements) as a Server-Timing header; for benchmarks.
if _env_bool("KESU_SERVER_TIMING", default=False):
    MIDDLEWARE.insert(0, "kesu.core.timing.ServerTimingMiddleware")

ROOT_URLCONF = "kesu.urls"
WSGI_APPLICATION = "kesu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kesu.core.context_processors.kesu",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{DATA_DIR / 'kesu.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("KESU_DATABASE_URL") or _default_sqlite, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; a second writer waits instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # Kept open between requests like PostgreSQL's (60 s): opening one costs about 2 ms of CPU (the file, the pragmas
    # above, the functions Django registers), as much as the rest of a small request. An idle connection holds no
    # lock and no read snapshot, so it delays neither writers nor WAL checkpoints.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-kesu.sqlite3")}

# Read replicas (PostgreSQL streaming replicas of the primary): analytics and report pages read from them while they
# are caught up; writes, and a user's reads just after their own write, stay on the primary (kesu/core/replicas.py).
KESU_REPLICA_ALIASES = []
for _n, _url in enumerate(u.strip() for u in os.environ.get("KESU_DATABASE_REPLICA_URLS", "").split(",") if u.strip()):
    DATABASES[f"replica{_n}"] = dj_database_url.parse(_url, conn_max_age=60, conn_health_checks=True)
    DATABASES[f"replica{_n}"]["TEST"] = {"MIRROR": "default"}
    KESU_REPLICA_ALIASES.append(f"replica{_n}")
DATABASE_ROUTERS = ["kesu.core.replicas.ReplicaRouter"] if KESU_REPLICA_ALIASES else []
KESU_REPLICA_PIN_SECONDS = int(os.environ.get("KESU_REPLICA_PIN_SECONDS", 10))  # read-your-writes window
KESU_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("KESU_REPLICA_MAX_LAG_SECONDS", 5))
KESU_REPLICA_CHECK_SECONDS = float(os.environ.get("KESU_REPLICA_CHECK_SECONDS", 2))
KESU_REPLICA_RETRY_SECONDS = float(os.environ.get("KESU_REPLICA_RETRY_SECONDS", 30))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # 12 characters at least (OWASP ASVS 2.1.1), with a Chinese message (Django's zh-hans catalogue lacks this one).
    {"NAME": "kesu.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Chinese for the few admin strings Django's and django-tasks' catalogues lack (kesu/locale).
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_TZ = True

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every start until `kesu setup` has collected into it
# Front-end packages come from the npm registry at set-up (package.json); they are never copied into the repository.
NODE_MODULES_DIR = Path(os.environ.get("KESU_NODE_MODULES", PACKAGE_DIR.parent / "node_modules"))
STATICFILES_DIRS = [
    (prefix, NODE_MODULES_DIR / path)
    for prefix, path in [
        ("vendor/bootstrap", "bootstrap/dist"),
        ("vendor/bootstrap-icons", "bootstrap-icons/font"),
        ("vendor/htmx", "htmx.org/dist"),
        ("vendor/echarts", "echarts/dist"),
    ]
    if (NODE_MODULES_DIR / path).is_dir()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("KESU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("KESU_FROM_EMAIL", "kesu@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600  # one working day
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie; left readable for scripts
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Production behind HTTPS: cookies only over TLS, a year of HSTS, plain HTTP redirected. The reverse proxy must
# set X-Forwarded-Proto (and must strip one sent by the client).
HTTPS = not DEBUG and _env_bool("KESU_HTTPS", default=False)
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("KESU_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("KESU_HSTS_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = _env_bool("KESU_HSTS_PRELOAD", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [f"https://*{h}" if h.startswith(".") else f"https://{h}" for h in ALLOWED_HOSTS
                            if h not in ("127.0.0.1", "localhost", "*")]
# Sign-in throttling (kesu/accounts/throttle.py): this many failures per user name and IP lock for this long.
# HTTP Basic on the REST API, for DHIS2 clients that send a user name and password with every call; off by default.
KESU_API_BASIC_AUTH = _env_bool("KESU_API_BASIC_AUTH", default=False)
KESU_LOGIN_FAILURE_LIMIT = int(os.environ.get("KESU_LOGIN_FAILURE_LIMIT", 5))
KESU_LOGIN_LOCK_MINUTES = int(os.environ.get("KESU_LOGIN_LOCK_MINUTES", 15))

CSRF_FAILURE_VIEW = "kesu.core.errors.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (4xx) is logged as one line; only faults (5xx) carry a traceback.
    "filters": {"one_line_refusals": {"()": "kesu.core.errors.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line_refusals"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("KESU_LOG_LEVEL", "WARNING")},
}

# Background work (large Excel imports …): database-backed queue run by `kesu worker`; tests use the immediate backend.
TASKS = {"default": {"BACKEND": os.environ.get("KESU_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# An idle worker is woken by each enqueued task (kesu/core/worker.py); it also looks at the queue this often.
KESU_WORKER_POLL_SECONDS = float(os.environ.get("KESU_WORKER_POLL_SECONDS", 5))
# A worker silent for longer than this is taken for dead, and pages say so when tasks are waiting.
KESU_WORKER_ALIVE_SECONDS = float(os.environ.get("KESU_WORKER_ALIVE_SECONDS", 30))

# Shown on every page and in every report when the database holds the demo.
KESU_DEMO_LABEL = "演示数据"
