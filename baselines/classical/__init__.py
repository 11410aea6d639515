"""Classical, non-learned restoration methods (``zoo.baselines.classical``), one module per degradation.

Importing this package registers ``dcp_dehaze``, ``wiener_deblur_oracle``, ``rl_deblur_oracle``,
``wiener_deblur_blind``, ``rl_deblur_blind``, ``median_derain``, ``open_derain``, ``tv_deblock`` and
``bilateral_deblock``. All take and return float images (B, C, H, W) in [0, 1]; their metadata has
``learned=False``, and ``oracle=True`` where the true blur kernel must be passed in.
"""

from . import deblock, deblur, deconvolution, dehaze, derain, guided_filter, kernel_search, tv

__all__ = ["deblock", "deblur", "deconvolution", "dehaze", "derain", "guided_filter", "kernel_search", "tv"]
