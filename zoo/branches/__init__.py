"""MBN input and output branches (``zoo.branches``); importing this package registers them in ``BRANCHES``."""
