"""``python -m zoo.training.write_detector_shards OUT --count N``: write detector training samples to disk."""

from zoo.training.detector_data import main

if __name__ == "__main__":
    raise SystemExit(main())
