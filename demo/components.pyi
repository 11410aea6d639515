"""A ``gr.Image`` for uploads whose decoding failures reach the user as a message instead of Gradio's generic error."""

from typing import Any

import gradio as gr
from PIL import Image, UnidentifiedImageError

__all__ = ["UploadImage"]

from gradio.events import Dependency

class UploadImage(gr.Image):
    """``gr.Image`` (same frontend) that turns unreadable or oversized uploads into ``gr.Error`` messages.

    Gradio opens the upload with Pillow before the event handler runs; without this, a text file named ``.png``
    or a decompression bomb gives the user only "The upstream Gradio app has raised an exception".
    """

    is_template = True  # the frontend renders it as the parent class, gr.Image

    def preprocess(self, payload: Any) -> Any:
        """Gradio's preprocessing, with clear messages for files Pillow refuses."""
        try:
            return super().preprocess(payload)
        except Image.DecompressionBombError:
            raise gr.Error("The uploaded image is far too large (Pillow refuses to decode it).") from None
        except (UnidentifiedImageError, OSError):
            raise gr.Error("The uploaded file is not an image this demo can read (PNG, JPEG, WebP, ...).") from None
    from typing import Callable, Literal, Sequence, Any, TYPE_CHECKING
    from gradio.blocks import Block
    if TYPE_CHECKING:
        from gradio.components import Timer
        from gradio.components.base import Component