# rmbn_adaptive at a width and size that train on a laptop CPU in seconds (tests, trying the recipe).
_base_ = "./rmbn_adaptive.py"

model = dict(net=dict(width=0.125, rain_iters=1))
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False, dataset=dict(source="dead_leaves", crop=48, length=64)
)
val_dataloader = dict(dataset=dict(crop=48, count=2))
train_cfg = dict(max_iters=6, val_interval=3)
param_scheduler = [dict(type="ConstantLR", by_epoch=False, factor=1.0, end=6)]
default_hooks = dict(checkpoint=dict(interval=3), logger=dict(interval=3))
