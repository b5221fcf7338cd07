"""Log output: the usual text lines, or one JSON object per line (``SILA_LOG_FORMAT=json``).

Why JSON: a platform's log pipeline (Loki, CloudWatch, Elastic) indexes fields without regexes.
Why so few fields: messages are written without personal data (numbers masked, national IDs
never logged), and nothing else is copied from a record. An exception contributes its type and
where it was raised, not its message: a driver's error text can quote the row it failed on.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime

from bot.settings import Settings

TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            out["exc_type"] = record.exc_info[0].__name__
            frames = traceback.extract_tb(record.exc_info[2])[-5:]
            out["exc_where"] = [f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno} {f.name}" for f in frames]
        return json.dumps(out, ensure_ascii=False)


def configure_logging(settings: Settings, *, level_given: bool) -> None:
    """Apply SILA_LOG_FORMAT, and SILA_LOG_LEVEL when it was given (commands stay quiet otherwise)."""
    root = logging.getLogger()
    if level_given:
        root.setLevel(settings.log_level.upper())
    formatter: logging.Formatter = JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT)
    for handler in root.handlers:
        handler.setFormatter(formatter)
