"""Total-variation denoising by Chambolle's projection algorithm (Chambolle, JMIV 2004), batched in torch.

Minimises ``||u - f||^2 / 2 + weight * TV(u)`` per image plane (each channel on its own, isotropic TV with forward
differences). The dual variable ``p`` follows Chambolle's semi-implicit step with ``tau = 1/4``; a plane stops when
its energy changes by less than ``eps`` times its first-iteration energy, the stopping rule of
``skimage.restoration.denoise_tv_chambolle``.
"""

import torch

__all__ = ["tv_denoise_chambolle"]


def _divergence(p: torch.Tensor) -> torch.Tensor:
    """Discrete divergence (backward differences, minus the adjoint of ``_gradient``) of a (2, N, H, W) field."""
    div = p.sum(0)
    div[:, 1:, :] -= p[0, :, :-1, :]
    div[:, :, 1:] -= p[1, :, :, :-1]
    return div


def _gradient(u: torch.Tensor) -> torch.Tensor:
    """Forward differences of (N, H, W) planes as (2, N, H, W); zero on the last row / column."""
    grad = torch.zeros((2, *u.shape), dtype=u.dtype, device=u.device)
    grad[0, :, :-1, :] = u[:, 1:, :] - u[:, :-1, :]
    grad[1, :, :, :-1] = u[:, :, 1:] - u[:, :, :-1]
    return grad


def tv_denoise_chambolle(x: torch.Tensor, weight: float, eps: float = 2e-4, max_iterations: int = 200) -> torch.Tensor:
    """Chambolle TV denoising of every channel of every image.

    Args:
        x: (B, C, H, W) or (N, H, W) float images.
        weight: TV weight (larger = smoother), on the image's intensity scale.
        eps: Relative energy change that stops a plane.
        max_iterations: Upper bound on iterations.

    Returns:
        Denoised images, same shape and dtype as ``x`` (computed in at least float32).
    """
    if weight <= 0:
        raise ValueError(f"weight must be positive, got {weight}")
    if x.ndim not in (3, 4):
        raise ValueError(f"expected (B, C, H, W) or (N, H, W) images, got shape {tuple(x.shape)}")
    compute_dtype = torch.promote_types(x.dtype, torch.float32)
    image = x.reshape(-1, *x.shape[-2:]).to(compute_dtype)
    planes, height, width = image.shape
    tau = 0.25
    p = torch.zeros((2, planes, height, width), dtype=compute_dtype, device=x.device)
    out = image.clone()
    active = torch.ones(planes, dtype=torch.bool, device=x.device)
    energy_init = energy_prev = None
    for iteration in range(max_iterations):
        if iteration > 0:
            div = _divergence(p)
            out = torch.where(active[:, None, None], image - div, out)
            energy = div.square().sum((1, 2))
        else:
            energy = torch.zeros(planes, dtype=compute_dtype, device=x.device)
        grad = _gradient(out)
        norm = grad.square().sum(0).sqrt()
        energy = (energy + weight * norm.sum((1, 2))) / (height * width)
        if iteration == 0:
            energy_init = energy_prev = energy
        else:
            active = active & ~((energy_prev - energy).abs() < eps * energy_init)
            energy_prev = energy
            if not bool(active.any()):
                break
        p_next = (p - tau * grad) / (1.0 + norm * (tau / weight))
        p = torch.where(active[None, :, None, None], p_next, p)
    return out.reshape(x.shape).to(x.dtype)
