# The adaptive R-MBN (zoo restore's default, zoo.inference.adaptive) trained for what it runs: on `broad` mixtures
# of 1 to 4 factors, every image goes through exactly the steps of its own factors, in the chain's order, and the
# loss is that of the final output. This is the recurrent fine-tuning of the paper (rmbn_stage2 / rmbn_star) with a
# perfect detector choosing the steps. Start from a broad stage-1 network:
# `--cfg-options model.init_checkpoint=PATH/mbn.broad.safetensors`. Input branches frozen, as in the paper.
_base_ = "./rmbn_star.py"

model = dict(
    net=dict(input_branches=dict(jpeg=dict(skip=True)), output_branches=dict(jpeg=dict(skip=True))),
    mode="adaptive",
    data_preprocessor=dict(type="DegradeOnTheFly", preset="broad"),
)
val_dataloader = dict(dataset=dict(preset="broad"))
