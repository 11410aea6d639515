from pathlib import Path

import numpy as np
from PIL import Image

from zoo.data.corpus import CORPUS_PHOTOS, build_wheel_corpus
from zoo.data.images import load_sample, sample_names


def test_corpus_is_written_and_disjoint_from_the_bundled_test_photos(tmp_path: Path) -> None:
    paths = build_wheel_corpus(tmp_path, dead_leaves=2, size=64)
    assert len(paths) == len(CORPUS_PHOTOS) + 2
    bundled = set(sample_names())
    assert all(load_sample(name).ndim == 3 for name in bundled)
    for path in paths:
        image = np.asarray(Image.open(path))
        assert image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8
        assert min(image.shape[:2]) >= 64
        assert path.stem not in bundled
