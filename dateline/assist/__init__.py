"""Newsroom intelligence: help for the desk that never writes anything itself.

``duplicates`` warns a reporter when the post being written repeats an earlier one; ``key_points`` drafts the
day's key points from the posts for an editor to review. Both are suggestions: what is published still goes through
``coverage.actions``, by a person.
"""
