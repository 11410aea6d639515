# R-MBN* (Sec. 5.4, Table 4): the stage-1 network fine-tuned on the combined-factor training set (1..4 random
# factors per image, applied in the order haze, rain, blur, JPEG); loss on the final output of the chain; input
# branches frozen; crop 256. Start from stage 1: `zoo export-weights work_dirs/mbn_stage1/iter_N.pth --name mbn.mine
# --out-dir weights --no-evaluate`, then `--cfg-options model.init_checkpoint=weights/mbn.mine.safetensors`.
factors = ["mixed"]
max_iters = 20_000

model = dict(
    type="RestorationTrainer",
    net=dict(type="rmbn"),
    loss=dict(type="ssim_l1"),
    mode="chain",
    frozen=("heads.",),
)
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    dataset=dict(type="TaskDatasets", factors=factors, source="train", crop=256),
    sampler=dict(type="DefaultSampler", shuffle=False),
    batch_sampler=dict(type="TaskCycleBatchSampler", cycle=[0], shuffle_cycle=False),
    collate_fn=dict(type="default_collate"),
)
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    dataset=dict(type="ValidationPairs", factors=factors, source="validation", crop=256, count=8),
    sampler=dict(type="DefaultSampler", shuffle=False),
    collate_fn=dict(type="default_collate"),
)
val_evaluator = dict(type="RestorationMetric", protocol="standard")
train_cfg = dict(type="FastResumeIterBasedTrainLoop", max_iters=max_iters, val_interval=2000)
optim_wrapper = dict(type="AutoBF16OptimWrapper", optimizer=dict(type="Adam", lr=1e-5, betas=(0.9, 0.999), eps=1e-8))
param_scheduler = [dict(type="ConstantLR", by_epoch=False, factor=1.0, end=max_iters)]
