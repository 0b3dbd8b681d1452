"""Moving a newsroom's coverage in and out: Dateline's own archive (``archive.py`` the format, ``export.py``,
``restore.py``), whole-instance backups (``backup.py``) and, in ``foreign/``, imports from other systems.

The format is documented in docs/operations.md ("Archive format").
"""
