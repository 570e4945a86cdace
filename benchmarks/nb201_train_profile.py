#!/usr/bin/python3
"""Per-op profile of the PyTorch-Python reference's training step (nb201_train_reference.py), the counterpart of
`train_benchmark profile` on the C++ side.

usage: nb201_train_profile.py C N IN_CHANNELS IMAGE_SIZE [STEPS] [THREADS] [channels_last]

Runs STEPS training steps (after 3 warm-up steps) without the profiler, timing each phase of a step in process
CPU time, then STEPS with torch.profiler (CPU activities) and prints,
per op, its self time as a share of all profiled op time and that share of the CPU time of one step measured
without the profiler (torch.profiler measures wall time, so on a loaded machine the shares are the figure to
compare; the ms column assumes the op's share of CPU time is its share of wall time), and calls per step.
"""
import sys
import time

import torch
import torch.nn as nn
from torch.profiler import ProfilerActivity, profile

from nb201_train_reference import CELL, TinyNetwork


def main():
    c, n, in_ch, size = (int(a) for a in sys.argv[1:5])
    steps = int(sys.argv[5]) if len(sys.argv) > 5 else 6
    torch.set_num_threads(int(sys.argv[6]) if len(sys.argv) > 6 else 1)
    channels_last = len(sys.argv) > 7 and sys.argv[7] == "channels_last"
    torch.manual_seed(1)
    net = TinyNetwork(c, n, in_ch, CELL)
    x = torch.randn(64, in_ch, size, size)
    y = torch.randint(0, 10, (64,))
    if channels_last:
        net = net.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()

    net.train()
    for _ in range(3):
        step()
    phase = [0.0] * 5
    for _ in range(steps):
        t0 = time.process_time()
        opt.zero_grad()
        t1 = time.process_time()
        logits = net(x)
        t2 = time.process_time()
        loss = loss_fn(logits, y)
        t3 = time.process_time()
        loss.backward()
        t4 = time.process_time()
        opt.step()
        t5 = time.process_time()
        for k, (a, b) in enumerate(zip((t0, t1, t2, t3, t4), (t1, t2, t3, t4, t5))):
            phase[k] += (b - a) * 1e3 / steps
    plain_ms = sum(phase)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            step()
    rows = [(e.key, e.self_cpu_time_total, e.count) for e in prof.key_averages()]
    total = sum(r[1] for r in rows)
    rows.sort(key=lambda r: -r[1])
    print("profile: C=%d N=%d %dx%dx%d batch 64, %s, %d steps; process CPU per step %.1f ms without the profiler"
          % (c, n, in_ch, size, size, "channels_last" if channels_last else "NCHW", steps, plain_ms))
    print("phases, ms per step: zero_grad %.2f, forward %.1f, cross-entropy %.2f, backward %.1f, SGD step %.2f"
          % tuple(phase))
    print("%-58s %10s %7s %8s" % ("op (self time share x CPU per step)", "ms/step", "share", "calls/st"))
    for key, us, count in rows[:25]:
        print("%-58.58s %10.2f %6.1f%% %8.1f" % (key, plain_ms * us / total, 100.0 * us / total, count / steps))


if __name__ == "__main__":
    main()
