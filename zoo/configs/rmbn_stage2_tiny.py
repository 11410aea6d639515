# rmbn_stage2 at a width and size that train on a laptop CPU in seconds (tests, trying the recipe).
_base_ = "./rmbn_stage2.py"

model = dict(net=dict(type="rmbn", width=0.125, rain_iters=1))
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False, dataset=dict(source="dead_leaves", crop=48, length=64)
)
val_dataloader = dict(dataset=dict(crop=48, count=1))
train_cfg = dict(max_iters=8, val_interval=4)
param_scheduler = [dict(type="ConstantLR", by_epoch=False, factor=1.0, end=8)]
default_hooks = dict(checkpoint=dict(interval=4), logger=dict(interval=2))
