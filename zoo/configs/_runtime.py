# Runtime settings of every training config. `zoo train` reads each config as if this file were its root `_base_`:
# the config's own settings win, key by key. Copy a line into a config (or pass --cfg-options) to change it for one
# run. Two settings follow the machine: the DDP backend is NCCL when CUDA is available, and TensorBoard logs are
# added to the visualiser's backends when tensorboard is installed.
default_scope = "zoo"
default_hooks = dict(
    timer=dict(type="IterTimerHook"),
    logger=dict(type="LoggerHook", interval=10),
    param_scheduler=dict(type="ParamSchedulerHook"),
    checkpoint=dict(
        type="TimedCheckpointHook",
        by_epoch=False,
        interval=1000,
        interval_minutes=10,
        max_keep_ckpts=3,
        save_best="restore/psnr",
        rule="greater",
    ),
    sampler_seed=dict(type="DistSamplerSeedHook"),
    cpu=dict(type="CPUTrainingHook", threads="auto", channels_last="auto"),
)
log_processor = dict(by_epoch=False, window_size=10)
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend="gloo"))
randomness = dict(seed=0)
visualizer = dict(type="Visualizer", vis_backends=[dict(type="LocalVisBackend")])
val_cfg = dict(type="ValLoop")
