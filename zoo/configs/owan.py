# The operation-wise attention network (Suganuma et al., CVPR 2019), the mixed-degradation baseline of Table 4,
# trained on the combined-factor set (1..4 random factors per image); loss 1.1 (1 - SSIM) + 0.75 L1, Adam 1e-4.
_base_ = "./_restoration.py"

model = dict(net=dict(type="owan"), mode="single")
train_dataloader = dict(batch_size=16, dataset=dict(factors=["mixed"], crop=128))
val_dataloader = dict(dataset=dict(factors=["mixed"], count=8))
