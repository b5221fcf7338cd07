"""Building one association's ``telegram.Bot`` and translating Telegram's answers for the worker.

Kept apart from :mod:`channels.telegram` (the channel itself) so that the CLI and tests can
derive tokens, webhook secrets and callback data without the channel's life cycle.
"""

from __future__ import annotations

import hashlib
import hmac
import warnings
from datetime import timedelta
from typing import Any

import phonenumbers
from telegram import Bot, Message
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from bot.settings import Settings
from channels.delivery import SendError

HASHED = "#h:"


def token_env_name(slug: str) -> str:
    return "SILA_TELEGRAM_TOKEN_" + slug.upper().replace("-", "_")


def token_for(settings: Settings, slug: str) -> str:
    return str(settings.per_association.get(token_env_name(slug)[5:].lower(), "") or "")


def secret_for(settings: Settings, slug: str) -> str:
    """Each bot gets its own webhook secret derived from SILA_TELEGRAM_SECRET (empty: fail closed)."""
    if not settings.telegram_secret:
        return ""
    return hmac.new(settings.telegram_secret.encode(), f"telegram-webhook:{slug}".encode(), hashlib.sha256).hexdigest()


def make_bot(settings: Settings, slug: str, *, polling: bool = False) -> Bot | None:
    token = token_for(settings, slug)
    if not token:
        return None
    base = settings.telegram_api_base.rstrip("/") or "https://api.telegram.org"
    timeout = settings.send_timeout_ms / 1000
    return Bot(
        token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot",
        request=HTTPXRequest(connection_pool_size=64, read_timeout=timeout, write_timeout=timeout,
                             connect_timeout=timeout, pool_timeout=timeout),
        get_updates_request=HTTPXRequest(connection_pool_size=2, read_timeout=timeout) if polling else None,
    )


def callback_data(value: str) -> str:
    if len(value.encode()) <= 64 and not value.startswith(HASHED):
        return value
    return HASHED + hashlib.sha256(value.encode()).hexdigest()[:32]


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # the int/timedelta deprecation is irrelevant to us
        warnings.simplefilter("ignore")
        value: Any = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def classify(exc: TelegramError) -> SendError:
    if isinstance(exc, RetryAfter):
        return SendError(SendError.RATE_LIMITED, "telegram 429", retry_after_seconds(exc))
    if isinstance(exc, Forbidden):
        return SendError(SendError.BLOCKED, exc.message[:200])
    if isinstance(exc, TimedOut):
        return SendError(SendError.TIMEOUT, "telegram timed out")
    if isinstance(exc, BadRequest | InvalidToken):
        return SendError(SendError.PERMANENT, exc.message[:200])
    if isinstance(exc, NetworkError):
        return SendError(SendError.TRANSIENT, exc.message[:200])
    return SendError(SendError.PERMANENT, exc.message[:200])


def verified_phone(message: Message) -> str | None:
    """The sender's own number when they shared it with the contact button (Telegram vouches)."""
    contact = message.contact
    if contact is None or message.from_user is None or contact.user_id != message.from_user.id:
        return None
    raw = contact.phone_number.strip()
    try:
        number = phonenumbers.parse(raw if raw.startswith("+") else "+" + raw)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
