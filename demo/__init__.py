"""The web demo of mbn-zoo (``zoo.demo``): models side by side in Gradio. Needs the ``demo`` extra.

``zoo demo`` or ``python -m zoo.demo`` serves it; ``zoo.demo.app.build_app()`` builds the Blocks app. Importing
this package does not import gradio (``zoo.demo.app`` does).
"""
