"""The gradient reversal layer the PyTorch reference scripts share (identity forward, the
gradient times -lambda backward)."""

import torch


class ReverseGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, lam):
        ctx.lam = lam
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return -ctx.lam * grad, None
