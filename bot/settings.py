"""Settings from ``SILA_*`` environment variables (and an optional TOML file for non-secrets).

Every variable is listed in README.md. A wrong value stops start-up with one line that names
the setting and the problem, instead of a stack trace three layers down.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SECRET_KEYS = {"data_key", "data_keys_old", "telegram_tokens", "twilio_auth_token", "telegram_secret"}
#: settings named per association: SILA_TELEGRAM_TOKEN_<SLUG>, SILA_TWILIO_SMS_FROM_<SLUG>, …
PER_ASSOCIATION = re.compile(r"^(telegram_token|twilio_sms_from|twilio_whatsapp_from)_[a-z0-9_]+$")
#: variables of the test suite and of the configuration file's own name: not settings of Sila
NOT_SETTINGS = {"SILA_CONFIG", "SILA_REQUIRE_SERVICES", "SILA_CHROMIUM"}
NOT_SETTINGS_PREFIXES = ("SILA_TEST_",)


#: the Ministry of Health's 24/7 line and the emergency number; a deployment may name others
DEFAULT_CRISIS_LINES = (
    "937|مركز اتصال وزارة الصحة (على مدار الساعة)|Ministry of Health call centre (24/7);"
    "997|الإسعاف والطوارئ|Ambulance and emergencies"
)


#: shown with the crisis lines when the danger is abuse at home (a husband, father or brother who
#: hits): the national 24/7 line that takes domestic-violence reports; empty: none
DEFAULT_VIOLENCE_LINES = "1919|خط بلاغات العنف الأسري|Domestic violence reporting line"


@dataclass(frozen=True, slots=True)
class CrisisLine:
    number: str
    ar: str
    en: str

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.ar


def parse_crisis_lines(raw: str, name: str = "SILA_CRISIS_LINES") -> tuple[CrisisLine, ...]:
    """SILA_CRISIS_LINES (and SILA_CRISIS_VIOLENCE_LINES): ``number|Arabic label|English label``
    entries joined by ``;``.

    Checked at start-up (a crisis is the worst moment to discover a typo): every entry needs a
    number of digits, labels default to each other."""
    lines: list[CrisisLine] = []
    for entry in (e.strip() for e in raw.split(";")):
        if not entry:
            continue
        number, *labels = [p.strip() for p in entry.split("|")]
        if not number.replace("+", "").replace(" ", "").isdigit():
            raise SettingsError(f"{name}: '{entry}' must start with a phone number (number|ar|en)")
        ar = labels[0] if labels and labels[0] else ""
        en = labels[1] if len(labels) > 1 and labels[1] else ar
        lines.append(CrisisLine(number, ar or en, en))
    if not lines:
        raise SettingsError(f"{name}: name at least one number (number|ar|en; …)")
    return tuple(lines)


class SettingsError(Exception):
    """A setting is missing or wrong; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = Path("var")
    database_url: str = ""
    redis_url: str = ""
    #: prefix of every Redis key and pub/sub channel, so several deployments (or a benchmark)
    #: can share one Redis server without seeing each other
    redis_prefix: str = "sila:"
    #: Redis connections per worker; a command waits for a free one rather than failing
    redis_max_connections: int = 16
    #: PostgreSQL connections per worker (no overflow: connections are opened once and reused)
    db_pool_size: int = 20
    #: most associations whose FAQ index is kept in memory at once (0: no count bound), and the
    #: most memory those indexes may take together (0: no bound); see bot/faq/org.py
    faq_max_indexes: int = 0
    faq_index_memory_mb: int = 160
    #: low-priority processes that build, once the worker is ready, the FAQ indexes a first
    #: start lacks (0: the worker builds them all before it is ready)
    faq_build_processes: int = 1
    #: where built FAQ indexes are kept ("": SILA_DATA_DIR/faq-indexes); workers that share it
    #: (one machine, or a shared volume) build each association's index once between them
    faq_index_dir: str = ""
    orgs_dir: str = ""
    public_base_url: str = ""
    log_level: str = "INFO"
    #: text | json (one object per line: ts, level, logger, msg; no personal data)
    log_format: str = "text"
    #: SQLite synchronous pragma: FULL survives power loss, NORMAL (WAL) survives process crashes
    sqlite_synchronous: str = "FULL"
    ws_max_chars: int = 4096
    ws_rate_per_10s: int = 40
    #: frames a web chat socket may have waiting for a client that does not read, before it is dropped
    ws_out_queue: int = 64
    #: open web chat sockets per client address (a browser needs one per tab)
    ws_sockets_per_address: int = 20
    #: extra origins (``https://host[:port]``, comma-separated) allowed to open the web chat socket
    #: for every association, on top of the page's own origin and each pack's ``widget_origins``
    widget_origins: str = ""
    #: proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For is believed for the client address
    trusted_proxies: str = ""
    #: threads that hash and verify console passwords (argon2, 64 MiB each), off the event loop;
    #: each check already runs two lanes in parallel, so one thread keeps two cores busy
    login_hash_threads: int = 1
    #: password checks allowed to wait for a hashing thread before a login is told "busy"
    login_hash_queue: int = 32
    flow_expiry_hours: int = 72
    data_key: str = ""
    #: retired data keys, comma-separated, still accepted for reading until `sila keys rotate`
    data_keys_old: str = ""
    #: test-only fault injection (e.g. ``crash_after_commit``); ignored unless set
    fault: str = ""
    # -- push channels (Telegram, WhatsApp, SMS); per-association tokens/senders live in
    # ``per_association`` as SILA_TELEGRAM_TOKEN_<SLUG>, SILA_TWILIO_SMS_FROM_<SLUG>, SILA_TWILIO_WHATSAPP_FROM_<SLUG>
    telegram_secret: str = ""
    #: webhook (production) | polling (development) | off
    telegram_mode: str = "webhook"
    #: only for a local Bot API server or tests, e.g. http://127.0.0.1:8081
    telegram_api_base: str = ""
    telegram_rate_global: int = 30
    telegram_rate_chat: int = 1
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    #: only for tests: where https://api.twilio.com requests go instead
    twilio_api_base: str = ""
    #: JSON: {"<slug>|*": {"<message kind>": {"content_sid": "HX…", "variables": {"1": "{text}"}}}}
    twilio_templates: str = ""
    twilio_rate_per_sender: int = 10
    sms_max_segments: int = 4
    #: run the outbox delivery worker inside ``sila serve`` (on | off)
    delivery_worker: str = "on"
    #: run a broadcast worker inside ``sila serve`` (on | off); off where ``sila broadcast work`` runs apart
    broadcast_worker: str = "on"
    delivery_poll_ms: int = 500
    send_timeout_ms: int = 10_000
    media_max_bytes: int = 10 * 1024 * 1024
    #: the largest file a web chat visitor may upload, and the types accepted (sniffed from the bytes)
    webchat_upload_max_bytes: int = 5 * 1024 * 1024
    webchat_upload_types: str = "image/jpeg,image/png,application/pdf"
    #: what one SMS segment costs, for broadcast previews (empty: the cost is not estimated)
    sms_cost_per_segment: str = ""
    sms_cost_currency: str = "SAR"
    #: settings named per association (tokens and senders), keyed by their lower-case name
    #: without the prefix, e.g. ``telegram_token_amass``
    per_association: dict[str, str] = field(default_factory=dict)
    # -- retention, in days; 0: the association's pack setting, else the default (README: "Retention")
    retention_messages_days: int = 0
    retention_raw_updates_days: int = 0
    retention_provider_statuses_days: int = 0
    retention_audit_days: int = 0
    #: deployment-wide (staff accounts are not one association's)
    retention_login_attempts_days: int = 0
    retention_sessions_days: int = 0
    #: who a person in crisis is told to call: "number|Arabic label|English label" entries joined by ";"
    crisis_lines: str = DEFAULT_CRISIS_LINES
    #: added to them (first) when the message is about violence at home; same form; "" for none
    crisis_violence_lines: str = DEFAULT_VIOLENCE_LINES

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'sila.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def multi_worker(self) -> bool:
        """With Redis configured, several workers may share the database: a cached state is used
        only when the conversation's lock says no other worker changed it since."""
        return bool(self.redis_url)


_INT_FIELDS = {
    "port", "ws_max_chars", "ws_rate_per_10s", "flow_expiry_hours", "ws_out_queue", "ws_sockets_per_address",
    "login_hash_threads", "login_hash_queue",
    # push channels
    "telegram_rate_global", "telegram_rate_chat", "twilio_rate_per_sender", "sms_max_segments",
    "delivery_poll_ms", "send_timeout_ms", "media_max_bytes", "webchat_upload_max_bytes",
    # retention
    "retention_messages_days", "retention_raw_updates_days", "retention_provider_statuses_days",
    "retention_audit_days", "retention_login_attempts_days", "retention_sessions_days",
    # scale-out
    "redis_max_connections", "db_pool_size", "faq_max_indexes", "faq_index_memory_mb",
    "faq_build_processes",
}


def _check_database_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"sqlite+aiosqlite", "postgresql+asyncpg", "postgresql", "sqlite"}:
        raise SettingsError(
            f"SILA_DATABASE_URL: unsupported scheme '{parts.scheme or url}'"
            " (use sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db)"
        )
    if parts.scheme.startswith("postgresql") and not parts.hostname and "host=" not in parts.query:
        raise SettingsError("SILA_DATABASE_URL: PostgreSQL URL has no host")


def _normalise_database_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+asyncpg://" + url[len("postgresql://") :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


def load_settings(env: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Read settings: defaults < TOML file (``SILA_CONFIG``) < environment < explicit overrides."""
    env = dict(os.environ if env is None else env)
    values: dict[str, Any] = {}
    config_path = env.get("SILA_CONFIG")
    if config_path:
        try:
            with open(config_path, "rb") as fh:
                file_values = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"SILA_CONFIG: cannot read {config_path}: {exc}") from None
        for key in file_values:
            if key in SECRET_KEYS or key.startswith("telegram_token_"):
                raise SettingsError(f"SILA_CONFIG: '{key}' is a secret; set SILA_{key.upper()} instead")
        values.update(file_values)
    known = {f.name for f in fields(Settings)} - {"per_association"}
    per_association: dict[str, str] = {}
    for name, value in env.items():
        if not name.startswith("SILA_") or name in NOT_SETTINGS or name.startswith(NOT_SETTINGS_PREFIXES):
            continue
        values[name[5:].lower()] = value
    values.update(overrides)
    for key in list(values):
        if key in known:
            continue
        if PER_ASSOCIATION.match(key):
            per_association[key] = str(values.pop(key))
            continue
        raise SettingsError(_unknown(key))
    for key in _INT_FIELDS & values.keys():
        try:
            values[key] = int(values[key])
        except (TypeError, ValueError):
            raise SettingsError(f"SILA_{key.upper()}: '{values[key]}' is not a whole number") from None
    for key in (k for k in values if k.startswith("retention_")):
        if values[key] < 0:
            raise SettingsError(f"SILA_{key.upper()}: a number of days, 0 for the default")
    if "data_dir" in values:
        values["data_dir"] = Path(values["data_dir"])
    if values.get("database_url"):
        values["database_url"] = _normalise_database_url(str(values["database_url"]))
        _check_database_url(values["database_url"])
    if values.get("redis_url"):
        parts = urlsplit(str(values["redis_url"]))
        if parts.scheme not in {"redis", "rediss", "unix"}:
            raise SettingsError(f"SILA_REDIS_URL: unsupported scheme '{parts.scheme}' (use redis://host:6379/0)")
    for key in ("redis_max_connections", "db_pool_size"):
        if key in values and values[key] < 1:
            raise SettingsError(f"SILA_{key.upper()}: must be at least 1")
    sync = str(values.get("sqlite_synchronous", "FULL")).upper()
    if sync not in {"FULL", "NORMAL", "EXTRA"}:
        raise SettingsError(f"SILA_SQLITE_SYNCHRONOUS: '{sync}' must be FULL, NORMAL or EXTRA")
    values["sqlite_synchronous"] = sync
    log_format = str(values.get("log_format", "text")).lower()
    if log_format not in {"text", "json"}:
        raise SettingsError(f"SILA_LOG_FORMAT: '{log_format}' must be text or json")
    values["log_format"] = log_format
    mode = str(values.get("telegram_mode", "webhook")).lower()
    if mode not in {"webhook", "polling", "off"}:
        raise SettingsError(f"SILA_TELEGRAM_MODE: '{mode}' must be webhook, polling or off")
    values["telegram_mode"] = mode
    try:
        cost = str(values.get("sms_cost_per_segment", "") or "")
        if cost:
            float(cost)
    except ValueError:
        raise SettingsError(f"SILA_SMS_COST_PER_SEGMENT: '{cost}' is not a number") from None
    for key in ("ws_out_queue", "ws_sockets_per_address", "login_hash_threads", "login_hash_queue"):
        if key in values and values[key] < 1:
            raise SettingsError(f"SILA_{key.upper()}: must be at least 1")
    if values.get("trusted_proxies"):
        parse_networks(str(values["trusted_proxies"]))
    if values.get("widget_origins"):
        parse_origins(str(values["widget_origins"]), "SILA_WIDGET_ORIGINS")
    if "crisis_lines" in values:
        parse_crisis_lines(str(values["crisis_lines"]))
    if str(values.get("crisis_violence_lines") or "").strip():
        parse_crisis_lines(str(values["crisis_violence_lines"]), "SILA_CRISIS_VIOLENCE_LINES")
    return Settings(**values, per_association=per_association)


def _unknown(key: str) -> str:
    """One line for a setting Sila does not know, with the closest known name: a typo in an
    environment variable must not be silently ignored (the deployment would run on a default)."""
    names = [f.name for f in fields(Settings) if f.name != "per_association"]
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    hint = f"; did you mean SILA_{close[0].upper()}?" if close else "; see README.md, Configuration"
    return f"SILA_{key.upper()}: unknown setting{hint}"


def parse_networks(raw: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """SILA_TRUSTED_PROXIES: ``10.0.0.5, 172.16.0.0/12, ::1`` → networks (a bare IP is a /32 or /128)."""
    out = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise SettingsError(f"SILA_TRUSTED_PROXIES: '{part}' is not an IP address or CIDR") from None
    return tuple(out)


def parse_origins(raw: str | list[str] | tuple[str, ...], name: str) -> tuple[str, ...]:
    """Origins as browsers send them (``scheme://host[:port]``, lower case, no path or slash)."""
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    out = []
    for item in items:
        item = str(item).strip().lower().rstrip("/")
        if not item:
            continue
        parts = urlsplit(item)
        if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path or parts.query:
            raise SettingsError(f"{name}: '{item}' is not an origin like https://www.example.org")
        out.append(item)
    return tuple(out)


def parse_templates(raw: str) -> dict[str, dict[str, dict[str, Any]]]:
    """SILA_TWILIO_TEMPLATES: approved WhatsApp templates per association and kind (JSON)."""
    if not raw:
        return {}
    try:
        data = json.loads(raw)
        assert isinstance(data, dict)
        for kinds in data.values():
            assert isinstance(kinds, dict)
            for spec in kinds.values():
                assert isinstance(spec, dict) and str(spec.get("content_sid", "")).startswith("HX")
    except (ValueError, AssertionError):
        raise SettingsError(
            'SILA_TWILIO_TEMPLATES: expected JSON {"<slug>|*": {"<kind>": {"content_sid": "HX…", '
            '"variables": {"1": "{text}"}}}}'
        ) from None
    return data
