# mbn_stage1 at a width and size that train on a laptop CPU in seconds (tests, trying the recipe).
_base_ = "./mbn_stage1.py"

model = dict(net=dict(width=0.125, rain_iters=1))
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False, dataset=dict(source="dead_leaves", crop=48, length=64)
)
val_dataloader = dict(dataset=dict(crop=48, count=1))
train_cfg = dict(max_iters=12, val_interval=6)
param_scheduler = [dict(type="MultiStepLR", by_epoch=False, milestones=[8, 10], gamma=0.1, end=12)]
default_hooks = dict(checkpoint=dict(interval=6), logger=dict(interval=3))
