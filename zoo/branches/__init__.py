"""MBN input and output branches (``zoo.branches``); importing this package registers them in ``BRANCHES``.

Every head has a ``mode``: ``"single"`` (``head(image) -> (x, res)``), ``"recurrent"`` (``head(estimate, image,
state) -> (x, res, state)``, iterated by the model) or ``"multiscale"`` (``head(image, scale, coarser) -> (x,
res)``, once per scale). Tails of the same mode map stem features back to ``image + tanh(...)``.
"""

from . import coarse_to_fine, plain, rain  # noqa: F401
