"""The benchmark formulas in PyTorch, the baselines both harnesses time.

kl_torch: the fused categorical receiver+KL at y, y_x - LSE_k(ln p(k) + y_k);
update_torch: the log-space Bayesian update, ln p + y - LSE(ln p + y)
(bench/cpu/kernels.mlir.in is the same two in our dialect).
"""
import torch


def kl_torch(x, logp, y):
    return y.gather(1, x.unsqueeze(1)).squeeze(1) - torch.logsumexp(logp + y, 1)


def update_torch(logp, y):
    a = logp + y
    return a - torch.logsumexp(a, 1, keepdim=True)


def max_rel(got, want):
    """Largest |got - want| / (1 + |want|), on the CPU in f64."""
    got, want = got.double().cpu(), want.double().cpu()
    return float(((got - want).abs() / (1 + want.abs())).max())
