"""FAQ understanding: normalise a beneficiary's message, match it to the association's
policy topics, and decide whether to answer, suggest, hand off, start a flow or refuse."""

from bot.faq.decide import Decision, decide
from bot.faq.lang import detect_language
from bot.faq.normalize import normalize
from bot.faq.org import get_index

__all__ = ["Decision", "decide", "detect_language", "get_index", "normalize"]
