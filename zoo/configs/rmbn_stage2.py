# R-MBN stage 2 (Sec. 4.2, App. B): fine-tune the stage-1 MBN on its recurrent path J->H->B->R.
# loss = 0.8 x loss(step output at the input's own factor) + 0.2 x loss(final output), back-propagated through the
# chain; input branches frozen; lr 1e-6; batch 4; crops 128 (rain) / 256 (others); cycle as in stage 1.
# Start from stage 1: `zoo export-weights work_dirs/mbn_stage1/iter_N.pth --name mbn.mine --out-dir weights
# --no-evaluate`, then `--cfg-options model.init_checkpoint=weights/mbn.mine.safetensors` (safetensors: no pickle).
_base_ = "./_restoration.py"

factors = ["haze", "rain", "jpeg", "blur"]
max_iters = 20_000

model = dict(net=dict(type="rmbn"), mode="recurrent", step_weights=(0.8, 0.2), frozen=("heads.",))
train_dataloader = dict(
    batch_size=4,
    dataset=dict(factors=factors, crop=dict(rain=128, default=256)),
    batch_sampler=dict(cycle=[0, 1, 2, 3, 3, 3], shuffle_cycle=True),
)
val_dataloader = dict(dataset=dict(factors=factors))
train_cfg = dict(max_iters=max_iters, val_interval=2000)
optim_wrapper = dict(optimizer=dict(lr=1e-6, betas=(0.9, 0.999), eps=1e-8))
param_scheduler = [dict(type="ConstantLR", by_epoch=False, factor=1.0, end=max_iters)]
