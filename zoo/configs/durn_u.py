# DuRN-U for motion blur (GoPro recipe: batch 10, crop 256).
_base_ = "./_restoration.py"

model = dict(net=dict(type="durn_u"))
train_dataloader = dict(batch_size=10, dataset=dict(factors=["blur"], crop=256))
val_dataloader = dict(dataset=dict(factors=["blur"]))
