# R-MBN* (Sec. 5.4, Table 4): the stage-1 network fine-tuned on the combined-factor training set (1..4 random
# factors per image, applied in the order haze, rain, blur, JPEG); loss on the final output of the chain; input
# branches frozen; crop 256. Start from stage 1: `zoo export-weights work_dirs/mbn_stage1/iter_N.pth --name mbn.mine
# --out-dir weights --no-evaluate`, then `--cfg-options model.init_checkpoint=weights/mbn.mine.safetensors`.
_base_ = "./_restoration.py"

factors = ["mixed"]
max_iters = 20_000

model = dict(net=dict(type="rmbn"), mode="chain", frozen=("heads.",))
train_dataloader = dict(batch_size=4, dataset=dict(factors=factors, crop=256))
val_dataloader = dict(dataset=dict(factors=factors, count=8))
train_cfg = dict(max_iters=max_iters, val_interval=2000)
optim_wrapper = dict(optimizer=dict(lr=1e-5, betas=(0.9, 0.999), eps=1e-8))
param_scheduler = [dict(type="ConstantLR", by_epoch=False, factor=1.0, end=max_iters)]
