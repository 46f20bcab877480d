"""The benchmark formulas in PyTorch, the baselines both harnesses time.

kl_torch: the fused categorical receiver+KL at y, y_x - LSE_k(ln p(k) + y_k);
update_torch: the log-space Bayesian update, ln p + y - LSE(ln p + y)
(bench/cpu/kernels.mlir.in is the same two in our dialect);
gauss_update_torch, cts_loss_torch: the Gaussian update with a per-row
accuracy beta(t) and the continuous-time loss per value, paper_cts
(bench/gpu/gauss.mlir.in).
"""
import math

import torch


def kl_torch(x, logp, y):
    return y.gather(1, x.unsqueeze(1)).squeeze(1) - torch.logsumexp(logp + y, 1)


def update_torch(logp, y):
    """In fp32 (y is fp32), stored back in the parameters' dtype."""
    a = logp + y
    return (a - torch.logsumexp(a, 1, keepdim=True)).to(logp.dtype)


def gauss_update_torch(mu, rho, y, t, sigma1):
    alpha = torch.expm1(-2 * math.log(sigma1) * t).unsqueeze(1)
    rho2 = rho + alpha
    return mu + alpha * (y - mu) / rho2, rho2


def cts_loss_torch(x, xhat, t, sigma1):
    alpha = (-2 * math.log(sigma1) * torch.exp(-2 * math.log(sigma1) * t)).unsqueeze(1)
    return alpha * (x - xhat) ** 2 / 2


def max_rel(got, want):
    """Largest |got - want| / (1 + |want|), on the CPU in f64."""
    got, want = got.double().cpu(), want.double().cpu()
    return float(((got - want).abs() / (1 + want.abs())).max())
