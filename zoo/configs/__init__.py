"""Training configs (mmengine Python configs, at most one ``_base_`` level). ``zoo train NAME`` finds them here."""
