# DuRN-US for haze (RESIDE recipe: batch 40, crop 256).
_base_ = "./_restoration.py"

model = dict(net=dict(type="durn_us"))
train_dataloader = dict(batch_size=40, dataset=dict(factors=["haze"], crop=256))
val_dataloader = dict(dataset=dict(factors=["haze"]))
