"""Understanding: what one message is, before any stage decides what to do with it.

:func:`bot.understanding.core.understand` gives the typed :class:`~bot.understanding.core.Understanding`
(safety, entities, command, small talk, language). This package file stays empty on purpose:
the flow runner reads the one list of command words (:mod:`bot.understanding.commands`) while
packs load, before the FAQ (which language detection uses) can be imported.
"""
