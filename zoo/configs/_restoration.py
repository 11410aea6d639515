# What every restoration config starts from: the trainer and its loss (1.1 (1 - SSIM) + 0.75 L1 on every output), the
# data blocks (training photos: the `train` split of zoo.data.splits, built in memory from the wheel's photos, or a
# corpus folder: `train_dataloader.dataset.source=FOLDER`; validation: the bundled validation photos, never the test
# photos), the evaluator, and the recipe of the dedicated baselines (DuRN, Liu et al. CVPR 2019: one factor, Adam lr
# 1e-4, 300k iterations). Each config sets its network, factors, crops and batch size; the MBN stages set their own
# schedule. Runtime settings (hooks, logging, seed): _runtime.py.
max_iters = 300_000

model = dict(type="RestorationTrainer", net=dict(type="durn_us"), loss=dict(type="ssim_l1"), mode="single")
train_dataloader = dict(
    batch_size=16,
    # Clean crops load in the main process: degradations are synthesised there too, batched (DegradeOnTheFly), and
    # on 2 cores a worker process costs the math more than it saves (results/cpu/train_throughput.md).
    num_workers=0,
    persistent_workers=False,
    dataset=dict(type="TaskDatasets", factors=["haze"], source="train"),
    sampler=dict(type="DefaultSampler", shuffle=False),
    batch_sampler=dict(type="TaskCycleBatchSampler", cycle=[0], shuffle_cycle=False),
    collate_fn=dict(type="default_collate"),
)
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    dataset=dict(type="ValidationPairs", factors=["haze"], source="validation", crop=256, count=4),
    sampler=dict(type="DefaultSampler", shuffle=False),
    collate_fn=dict(type="default_collate"),
)
val_evaluator = dict(type="RestorationMetric", protocol="standard")
train_cfg = dict(type="FastResumeIterBasedTrainLoop", max_iters=max_iters, val_interval=5000)
optim_wrapper = dict(type="AutoBF16OptimWrapper", optimizer=dict(type="Adam", lr=1e-4))
param_scheduler = [dict(type="MultiStepLR", by_epoch=False, milestones=[200_000, 260_000], gamma=0.1, end=max_iters)]
