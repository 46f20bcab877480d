"""The benchmark formulas in PyTorch, the baselines both harnesses time.

kl_torch: the fused categorical receiver+KL at y, y_x - LSE_k(ln p(k) + y_k);
update_torch: the log-space Bayesian update, ln p + y - LSE(ln p + y)
(bench/cpu/kernels.mlir.in is the same two in our dialect);
gauss_update_torch, cts_loss_torch: the Gaussian update with a per-row
accuracy beta(t) and the continuous-time loss per value, paper_cts
(bench/gpu/gauss.mlir.in); ebt_weights, ebt_step, ebt_energy: the EBT
inference loop of bench/gpu/ebt.mlir.in with its gradient in closed form;
bfn_net, bfn_sample_torch: n-step BFN sampling of bench/gpu/sampling.mlir.in.
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


def ebt_weights(d, f, device="cuda"):
    """The patterned weights of bench/gpu/ebt.mlir.in, in fp32 as there."""
    i = torch.arange(d, device=device, dtype=torch.float32).unsqueeze(1)
    j = torch.arange(f, device=device, dtype=torch.float32).unsqueeze(0)
    scale = torch.tensor(1 / math.sqrt(d), dtype=torch.float32)
    wh = torch.sin(i * 0.731 + j * 1.37) * scale.to(device)
    wy = torch.cos(i * 1.113 + j * 0.57) * scale.to(device)
    w2 = torch.full((f,), 1 / math.sqrt(f), device=device)
    return wh, wy, w2


def ebt_step(hp, y, wy, w2, eta):
    """One sgd step on E = w2 . silu(h Wh + y Wy) per token, the gradient in
    closed form: dE/dy = (w2 * silu'(u)) Wy^T; hp = h Wh is hoisted."""
    u = hp + y @ wy
    s = torch.sigmoid(u)
    return y - eta * ((w2 * s * (1 + u * (1 - s))) @ wy.t())


def ebt_energy(hp, y, wy, w2):
    return torch.nn.functional.silu(hp + y @ wy) @ w2


def bfn_net(theta, t, w1, c, w2):
    """bench/gpu/sampling.mlir.in's network: relu(theta W1 + t c) W2."""
    b = theta.shape[0]
    h = torch.relu(theta.reshape(b, -1) @ w1 + t * c)
    return (h @ w2).reshape(theta.shape)


def bfn_sample_torch(w1, c, w2, u, eps, beta1=9.0):
    """n-step discrete-data sampling (paper_discrete, K = 2, final = mode)
    on given draws: u (n x B x S) picks the class by inverse CDF, eps
    (n x B x S x K) the sender noise; log-space update."""
    n, k = u.shape[0], eps.shape[-1]
    logth = torch.full(eps.shape[1:], -math.log(k), device=u.device)
    for i in range(1, n + 1):
        p = torch.softmax(bfn_net(logth.exp(), (i - 1) / n, w1, c, w2), -1)
        cls = (p.cumsum(-1) <= u[i - 1].unsqueeze(-1)).sum(-1).clamp(max=k - 1)
        alpha = beta1 * (2 * i - 1) / (n * n)
        # (one_hot checks its indices on the host: no graph capture.)
        onehot = (cls.unsqueeze(-1) == torch.arange(k, device=u.device)).float()
        y = alpha * (k * onehot - 1) + math.sqrt(alpha * k) * eps[i - 1]
        logth = torch.log_softmax(logth + y, -1)
    return bfn_net(logth.exp(), 1.0, w1, c, w2).argmax(-1).to(torch.int32)
