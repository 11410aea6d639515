# The detector config at a size that trains in seconds (tests, trying the recipe).
_base_ = "./detector.py"

model = dict(net=dict(channels=(8, 8, 8), hidden=16))
train_dataloader = dict(batch_size=4, dataset=dict(source="dead_leaves", length=64))
val_dataloader = dict(batch_size=4, dataset=dict(length=8))
train_cfg = dict(max_iters=6, val_interval=3)
param_scheduler = [dict(type="CosineAnnealingLR", by_epoch=False, T_max=6, eta_min=1e-5)]
default_hooks = dict(checkpoint=dict(interval=3), logger=dict(interval=3))
