import json

import torch

import zoo
from zoo.training import build_runner, load_config
from zoo.training.detector_release import choose_thresholds
from zoo.training.release import export_release
from zoo.training.trainer_model import RestorationTrainer


def test_thresholds_keep_false_alarms_at_the_allowed_share() -> None:
    probabilities = torch.linspace(0, 1, 101)[:, None].repeat(1, 2).numpy()
    labels = (probabilities > 0.7).astype(float)  # negatives 0.00 .. 0.70 (71 of them)
    thresholds = choose_thresholds(probabilities, labels, max_false_alarms=0.03, max_clean_alarms=0.03)
    for column, threshold in enumerate(thresholds):
        flagged = ((probabilities[:, column] >= threshold) & (labels[:, column] < 0.5)).sum()
        assert flagged <= 0.03 * 71 and 0.67 < threshold <= 0.7
    labels[:, 1] = 1.0  # every image has the second factor: no clean image, the 3 % rule sets column 0
    assert 0.67 < choose_thresholds(probabilities, labels)[0] <= 0.7
    labels[60:71, 1] = 0.0  # images 0.60 .. 0.70 are clean: none of them may be flagged (0.5 % of 11 rounds to 0)
    assert choose_thresholds(probabilities, labels)[0] > 0.7


def test_tiny_detector_trains_and_exports_with_its_thresholds(tmp_path) -> None:
    cfg = load_config("detector_tiny", {"train_cfg.max_iters": 4, "train_cfg.val_interval": 4})
    build_runner(cfg, work_dir=str(tmp_path / "run")).train()
    entry = export_release(tmp_path / "run" / "iter_4.pth", "detector.tiny", tmp_path / "w", "test", {}, evaluate=False)
    thresholds = entry["metadata"]["thresholds"]
    assert list(thresholds) == ["rain", "blur", "jpeg", "haze"] and all(0 <= t <= 0.999 for t in thresholds.values())
    model = zoo.create_model("detector", checkpoint=str(tmp_path / "w" / "detector.tiny.safetensors"))
    assert torch.allclose(model.thresholds, torch.tensor(list(thresholds.values())), atol=1e-4)
    manifest = json.loads((tmp_path / "w" / "manifest.json").read_text())
    assert manifest["detector.tiny"]["metadata"]["validation_scores"]["rain"]["n"] == 8


def test_adaptive_mode_trains_only_the_steps_each_sample_ran() -> None:
    trainer = RestorationTrainer(dict(type="rmbn", width=0.125, rain_iters=1), mode="adaptive")
    x, target = torch.rand(2, 3, 32, 32), torch.rand(2, 3, 32, 32)
    loss = trainer._adaptive_loss(x, target, ["rain", ""])  # the second sample received no factor
    loss.backward()
    grads = {name: p.grad for name, p in trainer.net.named_parameters()}
    assert any(g is not None and g.abs().sum() > 0 for n, g in grads.items() if ".rain" in n)
    assert all(g is None or g.abs().sum() == 0 for n, g in grads.items() if ".haze" in n or ".blur" in n)
    zero = trainer._adaptive_loss(x, target, ["", ""])
    assert zero.item() == 0 and zero.requires_grad


def test_a_blur_only_fine_tune_leaves_every_other_step_unchanged() -> None:
    from zoo.training.campaign import frozen_but

    trainer = RestorationTrainer(
        dict(type="rmbn", width=0.125, rain_iters=1), mode="adaptive", frozen=frozen_but("blur")
    )
    trained = {n for n, p in trainer.net.named_parameters() if p.requires_grad}
    assert trained and all(n.startswith(("heads.blur", "tails.blur")) for n in trained)
    before = {n: p.detach().clone() for n, p in trainer.net.named_parameters()}
    optimizer = torch.optim.Adam([p for p in trainer.net.parameters() if p.requires_grad], lr=1e-2)
    x, target = torch.rand(2, 3, 32, 32), torch.rand(2, 3, 32, 32)
    for keys in (["rain", "haze+jpeg"], ["blur+rain", "jpeg"]):  # no blur step, then one: both must backpropagate
        optimizer.zero_grad()
        loss = trainer._adaptive_loss(x, target, keys)
        loss.backward()
        optimizer.step()
    changed = {n for n, p in trainer.net.named_parameters() if not torch.equal(p, before[n])}
    assert changed and changed <= trained


def test_false_steps_add_absent_factors_steps_in_chain_order() -> None:
    import pytest

    net = dict(type="rmbn", width=0.125, rain_iters=1)
    plain = RestorationTrainer(net, mode="adaptive")
    assert plain._with_false_steps(["rain", "", "haze+jpeg"]) == ["rain", "", "haze+jpeg"]
    trainer = RestorationTrainer(net, mode="adaptive", false_steps=0.5)
    torch.manual_seed(0)
    keys = trainer._with_false_steps(["rain"] * 200 + [""] * 200)
    order = list(trainer.net.order)
    for key in keys[:200]:
        steps = key.split("+")
        assert "rain" in steps and steps == [f for f in order if f in steps]  # own step kept, chain order
    extra = [key.count("+") + 1 for key in keys[200:] if key]  # clean samples: each absent step at rate 0.5
    assert 0.8 < sum(extra) / (4 * 200) / 0.5 < 1.2 and keys[200:].count("") > 0
    x = torch.rand(1, 3, 32, 32)
    loss = trainer._adaptive_loss(x, x.clone(), ["haze"])  # a clean sample with a false haze step must stay clean
    loss.backward()
    assert loss.item() > 0 and any(p.grad is not None and p.grad.abs().sum() > 0 for p in trainer.net.parameters())
    haze_only = RestorationTrainer(net, mode="adaptive", false_steps={"haze": 0.5})
    keys = haze_only._with_false_steps([""] * 400)
    assert set(keys) == {"", "haze"} and 0.4 < keys.count("haze") / 400 < 0.6  # only haze runs by mistake
    for bad in (
        dict(false_steps=1.0),
        dict(false_steps=-0.1),
        dict(false_steps=0.2, mode="chain"),
        dict(false_steps={"fog": 0.1}),
        dict(false_steps={"haze": 1.5}),
    ):
        with pytest.raises(ValueError, match="false_steps"):
            RestorationTrainer(net, **{"mode": "adaptive", **bad})


def test_distractors_add_damage_but_keep_the_factor_labels() -> None:
    from zoo.data.degradations.other_damage import BRIGHT_DISTRACTORS
    from zoo.training.detector_data import detector_sample

    photo = torch.rand(160, 160, 3).numpy()
    plain = [detector_sample(photo, seed, 0.6) for seed in range(30)]
    same = [detector_sample(photo, seed, 0.6, distractor_share=0.0) for seed in range(30)]
    assert all((a[0] == b[0]).all() and a[1] == b[1] for a, b in zip(plain, same, strict=True))  # share 0: as before
    distracted = [detector_sample(photo, seed, 0.6, distractor_share=1.0) for seed in range(30)]
    kinds = {params["distractor"]["kind"] for _, _, _, params in distracted}
    assert kinds == {"noise", "webp"}
    assert sum(not params["factors"] for _, _, _, params in distracted) >= 8  # about half carry no factor
    for _, present, _, params in distracted:  # the labels follow the four factors only
        assert all(present[f] == 0.0 for f in present if f not in params["factors"])
    bright = [detector_sample(photo, seed, 0.6, 1.0, BRIGHT_DISTRACTORS) for seed in range(30)]
    assert {params["distractor"]["kind"] for _, _, _, params in bright} == {"noise", "webp", "bright"}
    for (image, present, _, params), (old, old_present, _, _) in zip(bright, distracted, strict=True):
        if params["distractor"]["kind"] != "bright":
            continue
        # the same degraded image under another distractor: the labels are kept and the bright tone is brighter
        assert present == old_present and image.mean() > old.mean() - 1


def test_enlarged_photos_leave_the_blur_label_unknown_unless_blur_was_added() -> None:
    import numpy as np

    from zoo.data.degradations.other_damage import RESAMPLE_DISTRACTORS
    from zoo.training.detector_data import detector_sample

    photo = torch.rand(160, 160, 3).numpy()
    samples = [detector_sample(photo, seed, 0.6, 1.0, RESAMPLE_DISTRACTORS)[1:] for seed in range(40)]
    enlarged = [sample for sample in samples if sample[2]["distractor"]["kind"] == "resample"]
    assert {"blur" in params["factors"] for _, _, params in enlarged} == {True, False}
    for present, severity, params in enlarged:
        blur_added = "blur" in params["factors"]
        assert np.isnan(present["blur"]) != blur_added and np.isnan(severity["blur"]) != blur_added
        assert all(present[f] in (0.0, 1.0) for f in ("rain", "jpeg", "haze"))
    old = [detector_sample(photo, seed, 0.6, 1.0)[3] for seed in range(40)]
    for (_, _, params), old_params in zip(samples, old, strict=True):
        assert params["factors"] == old_params["factors"]  # enlarging the photo first leaves the factors' draws


def test_unknown_labels_count_in_no_loss() -> None:
    from zoo.training.detector_trainer import DetectorTrainer

    trainer = DetectorTrainer(dict(type="detector", channels=(4, 4, 4, 4, 4)))
    views, stats = torch.randint(0, 256, (3, 5, 3, 96, 96), dtype=torch.uint8), torch.randn(3, 10)
    present = torch.tensor([[1.0, 0.0, 1.0, 0.0], [0.0, float("nan"), 0.0, 1.0], [0.0, 0.0, 0.0, 0.0]])
    severity = torch.where(present > 0, 0.5, 0.0)
    samples = {"stats": stats, "present": present, "severity": severity}
    losses = trainer(views, samples, mode="loss")
    assert all(torch.isfinite(v) for v in losses.values())
    outputs = trainer(views, samples, mode="tensor").detach()
    known = ~torch.isnan(present)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(outputs[:, :4][known], present[known])
    torch.testing.assert_close(losses["loss_presence"], expected)
    with_zero = trainer(views, samples | {"present": torch.nan_to_num(present)}, mode="loss")["loss_presence"]
    assert not torch.isclose(with_zero, losses["loss_presence"])  # the unknown label was left out, not read as 0


def test_detector_comparison_scores_each_detector_on_each_folder(tmp_path) -> None:
    import numpy as np

    from zoo.training.detector_compare import _scores, compare_on_shards
    from zoo.training.detector_data import write_shards

    probabilities = np.array([[0.9, 0.1, 0.2, 0.0], [0.2, 0.8, 0.1, 0.0], [0.6, 0.0, 0.0, 0.0], [0.1, 0.0, 0.0, 0.0]])
    labels = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], dtype=float)
    scores = _scores(probabilities, labels, np.array([0.5, 0.5, 0.5, 0.5]))
    assert scores["factors"]["rain"] == {"auc": 1.0, "found": 1.0, "false_alarms": 1 / 3}
    assert scores["clean_with_a_step"] == 0.5 and scores["clean_n"] == 2  # the third image gets a rain step
    unknown = labels.copy()
    unknown[2, 0] = np.nan  # the image flagged for rain: its rain label unknown
    scores = _scores(probabilities, unknown, np.array([0.5, 0.5, 0.5, 0.5]))
    assert scores["factors"]["rain"]["false_alarms"] == 0.0 and scores["clean_n"] == 1  # left out, not clean
    write_shards(tmp_path / "val", "validation", 16, 3, shard_size=8, crop_policy="mixed", distractor_share=0.5)
    report = compare_on_shards([str(tmp_path / "val")], [])
    shipped = report[str(tmp_path / "val")]["shipped"]
    assert shipped["n"] == 16 and 0.0 <= shipped["clean_with_a_step"] <= 1.0
    assert list(shipped["factors"]) == ["rain", "blur", "jpeg", "haze"]
