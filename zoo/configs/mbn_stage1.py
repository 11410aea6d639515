# MBN stage 1 (Sec. 4.1, App. B): joint training of the four forward paths in cycles of 1 haze, 1 rain, 1 JPEG and
# 3 blur minibatches in random order (zoo.factors.STAGE1_CYCLE over the tasks zoo.factors.TASK_ORDER); crops 128 for
# rain, 256 for the others; Adam (0.9, 0.999, eps 1e-8), lr 1e-4, x0.1 twice; loss on every scale. Degradations are
# synthesised on the training device. The paper trains 1.2e5 cycles at batch 40 on its datasets.
#
# Recipe switches (branches collapsing to the identity; measured by `zoo bench recipe`, results/cpu/recipe.md): He
# initialisation of every input and output branch (`branch_init="kaiming"`; PyTorch's default init starves the deep
# unnormalised branches of gradient), output convs starting at zero so every branch starts as the identity
# (`residual_init="zero"`), LeakyReLU in the coarse-to-fine branches and gradient clipping. The paper's behaviour:
# `model.net.act=relu model.net.branch_init=default model.net.residual_init=default optim_wrapper.clip_grad=None`.
_base_ = "./_restoration.py"

factors = ["haze", "rain", "jpeg", "blur"]
max_iters = 720_000

model = dict(
    net=dict(type="mbn", act="leaky_relu", branch_init="kaiming", residual_init="zero"),
    mode="branch",
    all_scales=True,
)
train_dataloader = dict(
    batch_size=40,
    dataset=dict(factors=factors, crop=dict(rain=128, default=256)),
    batch_sampler=dict(cycle=[0, 1, 2, 3, 3, 3], shuffle_cycle=True),
)
val_dataloader = dict(dataset=dict(factors=factors))
train_cfg = dict(max_iters=max_iters)
optim_wrapper = dict(optimizer=dict(betas=(0.9, 0.999), eps=1e-8), clip_grad=dict(max_norm=1.0))
param_scheduler = [
    dict(type="MultiStepLR", by_epoch=False, milestones=[480_000, 640_000], gamma=0.1, end=max_iters),
]
