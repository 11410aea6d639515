"""Command-line interface (``zoo ...``)."""
