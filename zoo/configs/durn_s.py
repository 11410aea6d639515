# DuRN-S for rain streaks (DID-MDN recipe: batch 40, crop 64).
_base_ = "./_restoration.py"

model = dict(net=dict(type="durn_s"))
train_dataloader = dict(batch_size=40, dataset=dict(factors=["rain"], crop=64))
val_dataloader = dict(dataset=dict(factors=["rain"]))
