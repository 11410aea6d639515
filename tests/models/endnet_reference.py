"""Test helper: the released network (``EnDNet``) written out from the spec's words and shape table.

``reference_state_dict`` builds a state dict with the released key names and shapes (spec section 6), optionally
at a reduced width; ``reference_forward`` runs the released network functionally from such a dict (spec sections
1-3, quirks included). Neither uses ``zoo`` code, so comparing them with the converted zoo model checks that every
tensor lands where it belongs.
"""

import torch
import torch.nn.functional as F

SCALES = ("C", "M", "F")
BLOCK_KERNELS = {1: (3, 2, 3), 2: (5, 1, 3), 3: (3, 2, 5), 4: (5, 1, 5), 5: (7, 1, 5), 6: (7, 2, 5), 7: (11, 1, 5)}
BLOCK_KERNELS[8] = (11, 1, 5)


def _w(width: float, n: int) -> int:
    return max(1, round(n * width))


def reference_shapes(width: float = 1.0) -> dict[str, tuple[int, ...]]:
    """Key -> shape of the released state dict (404 entries at any width), widths scaled like zoo's ``width``."""
    c, r, c48, c32 = (_w(width, n) for n in (96, 64, 48, 32))
    se_hidden, tv_hidden = _w(width, 96), _w(width, 64)
    shapes: dict[str, tuple[int, ...]] = {}

    def conv(name: str, out: int, inp: int, k: int, bias: bool = True) -> None:
        shapes[f"{name}.conv2d.weight"] = (out, inp, k, k)
        if bias:
            shapes[f"{name}.conv2d.bias"] = (out,)

    def linear(name: str, out: int, inp: int) -> None:
        shapes[f"{name}.weight"] = (out, inp)
        shapes[f"{name}.bias"] = (out,)

    conv("rain_head.lstm.comb_conv", c32, 6, 3)
    for gate in "ifgo":
        conv(f"rain_head.lstm.conv_{gate}.0", c32, 2 * c32, 3)
    conv("rain_head.conv1", r, c32, 3)
    conv("rain_head.conv2", c, 4 * r, 3)
    for head in ("blur_head", "jpeg_head"):
        for s, letter in enumerate(SCALES):
            conv(f"{head}.{letter}_conv1", c32, 3 if s == 0 else 6, 3)
            conv(f"{head}.{letter}_conv2", r, 4 * c32, 3)
            conv(f"{head}.{letter}_conv3", c, 4 * r, 3)
        conv(f"{head}.conv1", c32, c32, 3)
        conv(f"{head}.conv2", c32, c32, 3)
        conv(f"{head}.conv3", r, r, 3)
        conv(f"{head}.conv4", r, r, 3)
    conv("haze_head.conv1", c32, 3, 3)
    conv("haze_head.conv2", r, c32, 3)
    conv("haze_head.conv3", c, r, 3)
    for n, (k1, _, k2) in BLOCK_KERNELS.items():
        p = f"DuRB{n}"
        conv(f"{p}.base.conv1", c, c, 3, bias=False)
        conv(f"{p}.base.conv2", c, c, 3, bias=False)
        linear(f"{p}.base.se.fc.0", tv_hidden, 2 * c)
        linear(f"{p}.base.se.fc.2", c, tv_hidden)
        conv(f"{p}.upsamp_module.upsamp.0", 4 * c, c, 1)
        conv(f"{p}.up_conv", r, c, k1)
        conv(f"{p}.down_conv", c, r, 3)
        for prefix in ("down_se", "down_atten.0"):
            conv(f"{p}.{prefix}.conv1", r, r, 3, bias=False)
            conv(f"{p}.{prefix}.conv2", r, r, 3, bias=False)
            linear(f"{p}.{prefix}.se.fc.0", se_hidden, r)
            linear(f"{p}.{prefix}.se.fc.2", r, se_hidden)
        conv(f"{p}.down_seconv", c, r, k2)
        conv(f"{p}.down_atten.1", c, r, k2)
        conv(f"{p}.merge", c, 2 * c, 3)
    conv("dec_1.up1.upsamp.0", 4 * c48, c, 1)
    conv("dec_1.conv1", c48, c48, 3)
    conv("dec_1.conv2", 3, c48, 3)
    for dec in ("dec_2", "dec_3"):
        for letter in SCALES:
            conv(f"{dec}.{letter}_upsamp1.upsamp.0", 4 * c, c, 1)
            conv(f"{dec}.{letter}_upconv1", r, c, 3)
            conv(f"{dec}.{letter}_upsamp2.upsamp.0", 4 * r, r, 1)
            conv(f"{dec}.{letter}_upconv2", c32, r, 3)
            conv(f"{dec}.{letter}_conv", 3, c32, 3)
        conv(f"{dec}.conv1", r, r, 3)
        conv(f"{dec}.conv2", r, r, 3)
        conv(f"{dec}.conv3", c32, c32, 3)
        conv(f"{dec}.conv4", c32, c32, 3)
    conv("dec_4.up1.upsamp.0", 4 * c, c, 1)
    conv("dec_4.conv1", r, c, 3)
    conv("dec_4.up2.upsamp.0", 4 * r, r, 1)
    conv("dec_4.conv2", c32, r, 3)
    conv("dec_4.conv3", 3, c32, 3)
    return shapes


def reference_state_dict(width: float = 1.0, seed: int = 0) -> dict[str, torch.Tensor]:
    """Random tensors under the released names; the ``down_atten.*`` aliases are the very same tensors."""
    gen = torch.Generator().manual_seed(seed)
    state: dict[str, torch.Tensor] = {}
    for key, shape in reference_shapes(width).items():
        if ".down_atten." in key:
            continue
        fan_in = shape[1] * shape[2] * shape[3] if len(shape) == 4 else (shape[1] if len(shape) == 2 else 16)
        state[key] = torch.randn(shape, generator=gen) / fan_in**0.5
    for key in reference_shapes(width):
        if ".down_atten.0." in key:
            state[key] = state[key.replace(".down_atten.0.", ".down_se.")]
        elif ".down_atten.1." in key:
            state[key] = state[key.replace(".down_atten.1.", ".down_seconv.")]
    return state


# ------------------------------------------------------------------------------- functional EnDNet
class EnDNetFunctional:
    """The released network's forward, from a reference-named state dict."""

    def __init__(self, state: dict[str, torch.Tensor], rain_iters: int = 4) -> None:
        self.sd = state
        self.rain_iters = rain_iters

    def conv(self, name: str, x: torch.Tensor, stride: int = 1, dilation: int = 1, zero_pad: bool = False):
        weight = self.sd[f"{name}.conv2d.weight"]
        bias = self.sd.get(f"{name}.conv2d.bias")
        pad = dilation * (weight.shape[-1] - 1) // 2
        if zero_pad:
            return F.conv2d(x, weight, bias, stride, pad, dilation)
        return F.conv2d(F.pad(x, (pad,) * 4, mode="reflect"), weight, bias, stride, 0, dilation)

    def excitation(self, name: str, z: torch.Tensor) -> torch.Tensor:
        hidden = F.relu(F.linear(z, self.sd[f"{name}.fc.0.weight"], self.sd[f"{name}.fc.0.bias"]))
        return torch.sigmoid(F.linear(hidden, self.sd[f"{name}.fc.2.weight"], self.sd[f"{name}.fc.2.bias"]))

    def residual(self, name: str, x: torch.Tensor, tv: bool) -> torch.Tensor:
        y = F.relu(self.conv(f"{name}.conv1", x, zero_pad=True))
        y = self.conv(f"{name}.conv2", y, zero_pad=True)
        stats = y.mean(dim=(2, 3))
        if tv:
            dv = (y[:, :, 1:, :] - y[:, :, :-1, :]).abs() ** 3
            dh = (y[:, :, :, 1:] - y[:, :, :, :-1]).abs() ** 3
            stats = torch.cat([stats, dv.mean(dim=(2, 3)) + dh.mean(dim=(2, 3))], dim=1)
        y = y * self.excitation(f"{name}.se", stats)[:, :, None, None]
        return F.relu(y + x)

    def durb(self, n: int, x: torch.Tensor, res: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        p = f"DuRB{n}"
        _, dilation, _ = BLOCK_KERNELS[n]
        x_r = x
        x = self.residual(f"{p}.base", x, tv=True)
        up = F.pixel_shuffle(self.conv(f"{p}.upsamp_module.upsamp.0", x), 2)
        res = F.relu(self.conv(f"{p}.up_conv", up, dilation=dilation) + res)
        a = F.relu(self.conv(f"{p}.down_conv", res, stride=2))
        b = F.relu(self.conv(f"{p}.down_atten.1", self.residual(f"{p}.down_atten.0", res, tv=False), stride=2))
        x = self.conv(f"{p}.merge", torch.cat([a, b], dim=1))
        return F.relu(x + x_r), res

    def blocks(self, x: torch.Tensor, res: torch.Tensor, last: int) -> torch.Tensor:
        for n in range(1, last + 1):
            x, res = self.durb(n, x, res)
        return x

    def rain(self, image: torch.Tensor) -> torch.Tensor:
        estimate, h, c = image, None, None
        for _ in range(self.rain_iters):
            z = F.relu(self.conv("rain_head.lstm.comb_conv", torch.cat([estimate, image], 1)))
            if h is None:
                h, c = torch.zeros_like(z), torch.zeros_like(z)
            zh = torch.cat([z, h], 1)
            i, f, g, o = (self.conv(f"rain_head.lstm.conv_{gate}.0", zh) for gate in "ifgo")
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            res = F.relu(self.conv("rain_head.conv1", h))
            x = F.relu(self.conv("rain_head.conv2", F.pixel_unshuffle(res, 2)))
            x = self.blocks(x, res, 5)
            y = F.relu(self.conv("dec_1.conv1", F.pixel_shuffle(self.conv("dec_1.up1.upsamp.0", x), 2)))
            estimate = image + torch.tanh(self.conv("dec_1.conv2", y))
        return estimate

    def haze(self, image: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.conv("haze_head.conv1", image))
        res = F.relu(self.conv("haze_head.conv2", y, stride=2))
        x = F.relu(self.conv("haze_head.conv3", res, stride=2))
        x = self.blocks(x, res, 8)
        y = F.relu(self.conv("dec_4.conv1", F.pixel_shuffle(self.conv("dec_4.up1.upsamp.0", x), 2)))
        y = F.relu(self.conv("dec_4.conv2", F.pixel_shuffle(self.conv("dec_4.up2.upsamp.0", y), 2)))
        return image + torch.tanh(self.conv("dec_4.conv3", y))

    def coarse_to_fine(self, pyramid: list[torch.Tensor], head: str, dec: str, last: int) -> list[torch.Tensor]:
        outputs: list[torch.Tensor] = []
        for s, (letter, image) in enumerate(zip(SCALES, pyramid, strict=True)):
            inp = image if s == 0 else torch.cat([image, F.interpolate(outputs[-1], scale_factor=2, mode="bicubic")], 1)
            y = F.relu(self.conv(f"{head}.{letter}_conv1", inp))
            y = F.relu(self.conv(f"{head}.conv1", y))
            y = F.relu(self.conv(f"{head}.conv2", y))
            y = F.relu(self.conv(f"{head}.{letter}_conv2", F.pixel_unshuffle(y, 2)))
            y = F.relu(self.conv(f"{head}.conv3", y))
            res = F.relu(self.conv(f"{head}.conv4", y))
            x = F.relu(self.conv(f"{head}.{letter}_conv3", F.pixel_unshuffle(res, 2)))
            x = self.blocks(x, res, last)
            y = F.pixel_shuffle(self.conv(f"{dec}.{letter}_upsamp1.upsamp.0", x), 2)
            y = F.relu(self.conv(f"{dec}.{letter}_upconv1", y))
            y = F.relu(self.conv(f"{dec}.conv1", y))
            y = F.relu(self.conv(f"{dec}.conv2", y))
            y = F.pixel_shuffle(self.conv(f"{dec}.{letter}_upsamp2.upsamp.0", y), 2)
            y = F.relu(self.conv(f"{dec}.{letter}_upconv2", y))
            y = F.relu(self.conv(f"{dec}.conv3", y))
            if letter != "F":  # the released tail skips conv4 at the fine scale ...
                y = F.relu(self.conv(f"{dec}.conv4", y))
            outputs.append(image + torch.tanh(self.conv(f"{dec}.C_conv", y)))  # ... and uses C_conv everywhere
        return outputs

    def __call__(self, image: torch.Tensor, factor: str) -> list[torch.Tensor]:
        """Outputs coarsest first for ``image`` (B, 3, H, W), H and W multiples of 16 and large enough."""
        if factor == "rain":
            return [self.rain(image)]
        if factor == "haze":
            return [self.haze(image)]
        mid = F.interpolate(image, scale_factor=0.5, mode="bicubic")
        pyramid = [F.interpolate(mid, scale_factor=0.5, mode="bicubic"), mid, image]
        if factor == "blur":
            return self.coarse_to_fine(pyramid, "blur_head", "dec_2", 6)
        return self.coarse_to_fine(pyramid, "jpeg_head", "dec_3", 7)
