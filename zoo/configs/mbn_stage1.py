# MBN stage 1 (Sec. 4.1, App. B): joint training of the four forward paths in cycles of 1 haze, 1 rain, 1 JPEG and
# 3 blur minibatches in random order; crops 128 for rain, 256 for the others; Adam (0.9, 0.999, eps 1e-8), lr 1e-4,
# x0.1 twice; loss 1.1 (1 - SSIM) + 0.75 L1 on every scale. Degradations are synthesised on the training device.
# The paper trains 1.2e5 cycles at batch 40 on its datasets. Training images: the `train` split of zoo.data.splits
# (built in memory from wheel photos), or a corpus folder: `train_dataloader.dataset.source=FOLDER`. Validation: the
# bundled validation photos, never the test photos.
#
# Recipe switches (issue: branches collapsing to the identity, spec architecture.md sec. 11; measured by
# `zoo bench recipe`, results/cpu/recipe.md): He initialisation of every input and output branch
# (`branch_init="kaiming"`; PyTorch's default init starves the deep unnormalised branches of gradient), output convs
# starting at zero so every branch starts as the identity (`residual_init="zero"`), LeakyReLU in the coarse-to-fine
# branches and gradient clipping. The paper's behaviour: `model.net.act=relu model.net.branch_init=default
# model.net.residual_init=default optim_wrapper.clip_grad=None`.
factors = ["haze", "rain", "jpeg", "blur"]
max_iters = 720_000

model = dict(
    type="RestorationTrainer",
    net=dict(type="mbn", act="leaky_relu", branch_init="kaiming", residual_init="zero"),
    loss=dict(type="ssim_l1"),
    mode="branch",
    all_scales=True,
)
train_dataloader = dict(
    batch_size=40,
    num_workers=4,
    persistent_workers=True,
    dataset=dict(type="TaskDatasets", factors=factors, source="train", crop=dict(rain=128, default=256)),
    sampler=dict(type="DefaultSampler", shuffle=False),
    batch_sampler=dict(type="TaskCycleBatchSampler", cycle=[0, 1, 2, 3, 3, 3]),
    collate_fn=dict(type="default_collate"),
)
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    dataset=dict(type="ValidationPairs", factors=factors, source="validation", crop=256, count=4),
    sampler=dict(type="DefaultSampler", shuffle=False),
    collate_fn=dict(type="default_collate"),
)
val_evaluator = dict(type="RestorationMetric", protocol="standard")
train_cfg = dict(type="FastResumeIterBasedTrainLoop", max_iters=max_iters, val_interval=5000)
optim_wrapper = dict(
    type="AutoBF16OptimWrapper",
    optimizer=dict(type="Adam", lr=1e-4, betas=(0.9, 0.999), eps=1e-8),
    clip_grad=dict(max_norm=1.0),
)
param_scheduler = [
    dict(type="MultiStepLR", by_epoch=False, milestones=[480_000, 640_000], gamma=0.1, end=max_iters),
]
