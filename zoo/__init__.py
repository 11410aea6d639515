"""mbn-zoo: image restoration when the degradation is unknown (MBN / R-MBN, arXiv 1907.04508) and its baselines.

Quick start::

    import zoo
    zoo.list_models()                       # every registered architecture
    model = zoo.create_model("rmbn")        # untrained R-MBN at the paper's size
    y = model(x)                            # x: float tensor in [0, 1], shape (B, 3, H, W)
    restored = zoo.restore(pil_image)       # shipped weights, any size, same kind of image back
    report = zoo.detect(pil_image)          # which factors it has: probabilities and severities

``import zoo`` imports nothing heavy: torch and mmengine's registry load on first use of a function below (so
``zoo --help`` and ``zoo list`` start fast), models register when first looked up, and the inference helpers load on
first use of ``zoo.restore``.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zoo.inference import restore
    from zoo.inference.detect import detect
    from zoo.registry import build, create_model, get_model_info, list_models, list_pretrained

__all__ = ["build", "create_model", "detect", "get_model_info", "list_models", "list_pretrained", "restore"]
__version__ = "0.1.0"

# public name -> module that defines it, imported on first access (PEP 562)
_LAZY = {
    "build": "zoo.registry",
    "create_model": "zoo.registry",
    "get_model_info": "zoo.registry",
    "list_models": "zoo.registry",
    "list_pretrained": "zoo.registry",
    "restore": "zoo.inference",
    "detect": "zoo.inference.detect",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'zoo' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
