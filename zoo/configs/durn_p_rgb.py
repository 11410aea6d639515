# DuRN-P without normalisation as the zoo's dedicated JPEG model (batch 30, crop 128).
_base_ = "./_restoration.py"

model = dict(net=dict(type="durn_p_rgb"))
train_dataloader = dict(batch_size=30, dataset=dict(factors=["jpeg"], crop=128))
val_dataloader = dict(dataset=dict(factors=["jpeg"]))
