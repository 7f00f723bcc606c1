"""DataInf (Kwon et al. 2023): influence of each training example on a test loss from LoRA gradients, with
the closed-form inverse-Hessian-vector product, layer by layer; and the exact influence it approximates.

Gradients are per layer (one entry per LoRA matrix, A and B apart, as the authors' code keys them): a
``[n, d_l]`` tensor of the n training examples' flattened gradients and a ``[d_l]`` test gradient. The
influence of example i is ``-sum_l v_l^T (H_l + lambda_l I)^-1 g_il`` (``IFEngine.compute_IF``): positive
means up-weighting i raises the test loss, negative that it lowers it.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

Grads = Mapping[str, torch.Tensor]
DAMPING_DIVISOR = 10.0  # the authors' lambda_const_param: lambda_l = 0.1 x mean_i mean_j g_ilj^2


def layer_damping(grads: Grads, divisor: float = DAMPING_DIVISOR) -> dict[str, float]:
    """lambda_l = mean over examples of the mean squared gradient entry of layer l, divided by ``divisor``
    (the authors' ``compute_hvp_proposed``: ``torch.mean(S) / lambda_const_param``, S_i = mean(g_il**2))."""
    return {name: float((g.double() ** 2).mean(dim=1).mean()) / divisor for name, g in grads.items()}


def datainf_influence(train: Grads, test: Grads, damping: Mapping[str, float] | None = None) -> torch.Tensor:
    """DataInf's influence of each of the n training examples on the test loss, shape ``[n]``.

    Per layer: (H_l + lambda I)^-1 v ~= 1/(n lambda) sum_i (v - (v.g_i) / (lambda + |g_i|^2) g_i), the
    Sherman-Morrison inverse of each rank-one term averaged in place of the inverse of the average.
    """
    damping = layer_damping(train) if damping is None else damping
    total: torch.Tensor | None = None
    for name, g in train.items():
        g = g.double()
        v = test[name].double().reshape(-1)
        lam = damping[name]
        n = g.shape[0]
        coef = (g @ v) / (lam + (g * g).sum(dim=1))
        hvp = (n * v - g.T @ coef) / (n * lam)
        part = -(g @ hvp)
        total = part if total is None else total + part
    if total is None:
        raise ValueError("no LoRA gradients")
    return total


def explicit_influence(train: Grads, test: Grads, damping: Mapping[str, float] | None = None) -> torch.Tensor:
    """The same influence with each layer's damped empirical Fisher ``G^T G / n + lambda I`` inverted
    explicitly (the authors' ``compute_hvp_accurate``); the naive baseline DataInf's closed form replaces."""
    damping = layer_damping(train) if damping is None else damping
    total = torch.zeros(next(iter(train.values())).shape[0], dtype=torch.float64)
    for name, g in train.items():
        g = g.double()
        fisher = g.T @ g / g.shape[0] + damping[name] * torch.eye(g.shape[1], dtype=torch.float64)
        total -= g @ torch.linalg.solve(fisher, test[name].double().reshape(-1))
    return total


def exact_influence(
    train: Grads, test: Grads, hessian: torch.Tensor, damping: Mapping[str, float] | None = None
) -> torch.Tensor:
    """``-g_test^T (H + Lambda)^-1 g_i`` with the full Hessian ``H`` of the mean training loss over all LoRA
    parameters (layers concatenated in ``train``'s order) and Lambda = lambda_l on layer l's diagonal."""
    damping = layer_damping(train) if damping is None else damping
    names = list(train)
    g = torch.cat([train[k].double() for k in names], dim=1)
    v = torch.cat([test[k].double().reshape(-1) for k in names])
    diag = torch.cat([torch.full((train[k].shape[1],), damping[k], dtype=torch.float64) for k in names])
    return -(g @ torch.linalg.solve(hessian.double() + torch.diag(diag), v))
