"""mbn-zoo: image restoration when the degradation is unknown (MBN / R-MBN, arXiv 1907.04508) and its baselines.

Quick start::

    import zoo
    zoo.list_models()                       # every registered architecture
    model = zoo.create_model("rmbn")        # untrained R-MBN at the paper's size
    y = model(x)                            # x: float tensor in [0, 1], shape (B, 3, H, W)
    restored = zoo.restore(pil_image)       # shipped weights, any size, same kind of image back

``import zoo`` imports torch and mmengine's registry only; models register when first looked up, and the
inference helpers load on first use of ``zoo.restore``.
"""

from typing import Any

from zoo.registry import build, create_model, get_model_info, list_models, list_pretrained

__all__ = ["build", "create_model", "get_model_info", "list_models", "list_pretrained", "restore"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "restore":
        from zoo.inference import restore

        return restore
    raise AttributeError(f"module 'zoo' has no attribute {name!r}")
