"""Policy import: an association's beneficiary relationship policy becomes a loadable pack.

``reader`` (file → text) → ``text`` (extraction noise repaired) → ``sections`` and ``extract``
(the template's facts) → ``pack_builder``, ``flows_builder``, ``faq_builder`` (the three YAML
files, Arabic and English) → ``pack_writer`` (validated, written atomically, with a report).
Pure core code: no web framework, no database; `sila orgs import` (app/orgs_cli.py) calls
``pack_writer.import_policy``.
"""
