"""``python -m zoo.training.corpus OUT [--debian UNPACKED]``: build the training corpus (see :mod:`zoo.data.corpus`)."""

from zoo.data.corpus import CORPUS_PHOTOS, build_wheel_corpus, main

__all__ = ["CORPUS_PHOTOS", "build_wheel_corpus", "main"]

if __name__ == "__main__":
    raise SystemExit(main())
