"""Upload images whose decoding failures reach the user as a message instead of Gradio's generic error."""

from typing import Any

import gradio as gr
from PIL import Image, UnidentifiedImageError

__all__ = ["upload_image"]


def upload_image(**kwargs: Any) -> gr.Image:
    """A ``gr.Image`` whose preprocessing turns unreadable or oversized uploads into ``gr.Error`` messages.

    Gradio opens an upload with Pillow before the event handler runs; without this, a text file named ``.png`` or a
    decompression bomb gives the user only "The upstream Gradio app has raised an exception". (A subclass would do
    the same, but Gradio writes a ``.pyi`` stub next to the module of every component subclass it sees.)

    Args:
        **kwargs: Arguments of ``gr.Image``.
    """
    image = gr.Image(**kwargs)
    preprocess = image.preprocess

    def checked_preprocess(payload: Any) -> Any:
        try:
            return preprocess(payload)
        except Image.DecompressionBombError:
            raise gr.Error("The uploaded image is far too large (Pillow refuses to decode it).") from None
        except (UnidentifiedImageError, OSError):
            raise gr.Error("The uploaded file is not an image this demo can read (PNG, JPEG, WebP, ...).") from None

    image.preprocess = checked_preprocess  # type: ignore[method-assign]
    return image
