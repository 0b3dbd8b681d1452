"""The newsroom: where reporters file and editors curate, at /newsroom/. Views are thin; actions do the writing."""
