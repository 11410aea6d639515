# MBN stage 1 on the `broad` synthesis (docs/degradations.md): the recipe of mbn_stage1 plus the full-resolution skip
# around the JPEG branch pair, trained and validated on broad degradations. For weights meant for real photos.
_base_ = "./mbn_stage1.py"

model = dict(
    net=dict(input_branches=dict(jpeg=dict(skip=True)), output_branches=dict(jpeg=dict(skip=True))),
    data_preprocessor=dict(type="DegradeOnTheFly", preset="broad"),
)
val_dataloader = dict(dataset=dict(preset="broad"))
