"""The audit log: who did what, when. Every action leaves one entry; the newsroom's audit page reads them."""
