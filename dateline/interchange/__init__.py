"""Moving coverage in and out of Dateline: its own archives, and imports from other live-blog systems (foreign/)."""
