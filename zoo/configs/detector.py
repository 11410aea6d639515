# The factor detector (zoo.models.detector): presence and severity of rain, blur, JPEG and haze, trained on samples
# of the `broad` and `paper` syntheses made from the training photos (zoo.training.detector_data) and validated on
# samples made from the validation photos. On the fly by default; for long runs write shards once
# (python -m zoo.training.write_detector_shards OUT --count N) and set
# train_dataloader.dataset=dict(type="DetectorShards", folder=OUT).
max_iters = 6000

model = dict(type="DetectorTrainer", net=dict(type="detector"), severity_weight=0.5)
train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    dataset=dict(type="DetectorSamples", source="train", length=200_000, seed=0),
    sampler=dict(type="DefaultSampler", shuffle=True),
    collate_fn=dict(type="default_collate"),
)
val_dataloader = dict(
    batch_size=32,
    num_workers=0,
    dataset=dict(type="DetectorSamples", source="validation", length=600, seed=1),
    sampler=dict(type="DefaultSampler", shuffle=False),
    collate_fn=dict(type="default_collate"),
)
val_evaluator = dict(type="DetectionMetric")
train_cfg = dict(type="IterBasedTrainLoop", max_iters=max_iters, val_interval=1000)
optim_wrapper = dict(type="AutoBF16OptimWrapper", optimizer=dict(type="Adam", lr=1e-3, weight_decay=1e-5))
param_scheduler = [dict(type="CosineAnnealingLR", by_epoch=False, T_max=max_iters, eta_min=1e-5)]
default_hooks = dict(checkpoint=dict(interval=500, save_best="detect/auc", rule="greater"))
