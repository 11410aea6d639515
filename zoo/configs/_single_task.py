# Shared recipe of the dedicated baselines (DuRN, Liu et al. CVPR 2019, Sec. 5 / train scripts): one factor,
# loss 1.1 (1 - SSIM) + 0.75 L1, Adam lr 1e-4. Each durn_* config sets `factor`, `net`, batch and crop.
factor = "haze"
max_iters = 300_000

model = dict(type="RestorationTrainer", net=dict(type="durn_us"), loss=dict(type="ssim_l1"), mode="single")
train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    dataset=dict(type="TaskDatasets", factors=[factor], source="train", crop=256),
    sampler=dict(type="DefaultSampler", shuffle=False),
    batch_sampler=dict(type="TaskCycleBatchSampler", cycle=[0], shuffle_cycle=False),
    collate_fn=dict(type="default_collate"),
)
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    dataset=dict(type="ValidationPairs", factors=[factor], source="validation", crop=256, count=4),
    sampler=dict(type="DefaultSampler", shuffle=False),
    collate_fn=dict(type="default_collate"),
)
val_evaluator = dict(type="RestorationMetric", protocol="standard")
train_cfg = dict(type="FastResumeIterBasedTrainLoop", max_iters=max_iters, val_interval=5000)
optim_wrapper = dict(type="AutoBF16OptimWrapper", optimizer=dict(type="Adam", lr=1e-4))
param_scheduler = [dict(type="MultiStepLR", by_epoch=False, milestones=[200_000, 260_000], gamma=0.1, end=max_iters)]
