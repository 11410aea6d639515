# durn_u at a width and size that train on a laptop CPU in seconds (tests, trying the recipe).
_base_ = "./_single_task.py"

model = dict(net=dict(type="durn_u", width=0.25))
train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(factors=["blur"], source="dead_leaves", crop=32, length=64),
)
val_dataloader = dict(dataset=dict(factors=["blur"], crop=32, count=1))
train_cfg = dict(max_iters=8, val_interval=4)
param_scheduler = [dict(type="MultiStepLR", by_epoch=False, milestones=[6], gamma=0.1, end=8)]
default_hooks = dict(checkpoint=dict(interval=4), logger=dict(interval=2))
