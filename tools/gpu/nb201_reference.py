#!/usr/bin/env python3
"""PyTorch-Python reference for tools/gpu/train_throughput: the same NB201 net (the NB201 authors' TinyNetwork as
re-typed in benchmarks/nb201_train_reference.py, the same cell) trained on one random batch, one step being
forward, cross entropy, backward, SGD (Nesterov 0.9, weight decay 5e-4) and loss.item(), as the C++ harness does.

usage: nb201_reference.py DEVICE SECONDS BATCH... [--shape C N IMAGE]
Prints one line per batch size and cuDNN setting:
  nb201_reference device=D batch=B cudnn=deterministic|default img/s=X ms/step=Y torch=VERSION
`deterministic` is what the harness uses (cudnn.deterministic, no benchmark); `default` is PyTorch's default
(both only differ on a GPU). Wall-clock images per second over SECONDS after 3 warm-up steps.
"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "benchmarks"))
from nb201_train_reference import CELL, TinyNetwork  # noqa: E402


def measure(device, batch, seconds, c, n, image, deterministic):
    torch.backends.cudnn.deterministic = deterministic
    torch.backends.cudnn.benchmark = False
    torch.manual_seed(1)
    net = TinyNetwork(c, n, 3, CELL).to(device)
    x = torch.randn(batch, 3, image, image).to(device)
    y = torch.randint(0, 10, (batch,)).to(device)
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)

    def step():
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    net.train()
    for _ in range(3):
        step()
    iters, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds or iters < 3:
        step()
        iters += 1
    elapsed = time.perf_counter() - start
    return iters * batch / elapsed, 1e3 * elapsed / iters


def main():
    args = sys.argv[1:]
    shape = (16, 5, 32)
    if "--shape" in args:
        i = args.index("--shape")
        shape = tuple(int(v) for v in args[i + 1:i + 4])
        args = args[:i] + args[i + 4:]
    if len(args) < 3 or args[0] not in ("cpu", "cuda"):
        sys.exit("usage: nb201_reference.py cpu|cuda SECONDS BATCH... [--shape C N IMAGE]")
    device, seconds, batches = args[0], float(args[1]), [int(b) for b in args[2:]]
    if device == "cuda" and not torch.cuda.is_available():
        sys.exit("nb201_reference: device cuda requested but this PyTorch sees no CUDA device")
    torch.set_num_threads(1)
    settings = (True, False) if device == "cuda" else (True,)
    for batch in batches:
        for det in settings:
            rate, ms = measure(device, batch, seconds, *shape, det)
            print("nb201_reference device=%s C=%d N=%d image=%d batch=%d cudnn=%s img/s=%.0f ms/step=%.2f torch=%s"
                  % (device, *shape, batch, "deterministic" if det else "default", rate, ms, torch.__version__),
                  flush=True)


if __name__ == "__main__":
    main()
