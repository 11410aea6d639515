# The small-run overlay: `zoo train NAME_tiny` trains the config NAME with these settings on top, a run that trains on
# a laptop CPU in seconds (tests, trying a recipe): two-image batches of 32-pixel crops of generated dead-leaves
# images, loaded in the main process, 8 iterations. `small_runs` names the configs that have a small run and what
# each needs beyond the lines above (its network's small size, its crops and schedule). A user config can `_base_`
# one: `_base_ = "zoo::mbn_stage1_tiny.py"`.
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False, dataset=dict(source="dead_leaves", crop=32, length=64)
)
val_dataloader = dict(dataset=dict(crop=32, count=1))
train_cfg = dict(max_iters=8, val_interval=4)
param_scheduler = [dict(type="ConstantLR", by_epoch=False, factor=1.0, end=8)]
default_hooks = dict(checkpoint=dict(interval=4), logger=dict(interval=2))

_durn = dict(
    model=dict(net=dict(width=0.25)),
    param_scheduler=[dict(type="MultiStepLR", by_epoch=False, milestones=[6], gamma=0.1, end=8)],
)
_mbn = dict(
    model=dict(net=dict(width=0.125, rain_iters=1)),
    train_dataloader=dict(dataset=dict(crop=48)),
    val_dataloader=dict(dataset=dict(crop=48)),
)
small_runs = dict(
    durn_p_rgb=_durn,
    durn_s=_durn,
    durn_u=_durn,
    durn_us=_durn,
    owan=dict(model=dict(net=dict(groups=3))),  # 3 of its 10 groups: 12 operation layers
    rmbn_stage2=_mbn,
    rmbn_star=_mbn,
    mbn_stage1=dict(
        _mbn,
        train_cfg=dict(max_iters=12, val_interval=6),
        param_scheduler=[dict(type="MultiStepLR", by_epoch=False, milestones=[8, 10], gamma=0.1, end=12)],
        default_hooks=dict(checkpoint=dict(interval=6), logger=dict(interval=3)),
    ),
    rmbn_adaptive=dict(
        _mbn,
        val_dataloader=dict(dataset=dict(crop=48, count=2)),
        train_cfg=dict(max_iters=6, val_interval=3),
        param_scheduler=[dict(type="ConstantLR", by_epoch=False, factor=1.0, end=6)],
        default_hooks=dict(checkpoint=dict(interval=3), logger=dict(interval=3)),
    ),
)
