"""Data: degradation synthesis, clean images, datasets, metrics and losses (``zoo.data``)."""
