"""Benchmarks of mbn-zoo (``zoo.benchmarks``): the paper's studies as ``zoo bench STUDY`` and speed files.

- ``leaderboard``: Tables 3 and 4 with the shipped weights; ``ablation``: Table 1; ``order``: Table 2;
  ``alignment``: Tables 5 and 6; ``latency``: the speed table (``zoo bench speed``).
- ``budgets`` (smoke / cpu / gpu), ``cells`` (one resumable JSON per finished cell), ``evaluate`` (test sets and
  PSNR/SSIM), ``train`` (training runs through ``zoo.training``), ``report`` (JSON, Markdown, PNG).
- ``speed/``: pytest-benchmark files of other components (run them with ``pytest benchmarks/speed/...``).

Nothing here is imported by ``import zoo``; matplotlib is imported only when a study writes its plot.
"""
